"""The cut layers' names in draw order (back to front), shared by the cutter and the feature modules."""

LAYER_NAMES: tuple[str, ...] = (
    "BackHair",
    "HairAccessoryBack",
    "Body",
    "Neck",
    "EarR",
    "EarL",
    "Earrings",
    "Face",
    "Nose",
    "MouthInterior",
    "MouthTongue", "MouthTeeth", "LipLower", "LipUpper",  # the mouth pieces (inference.layers.mouth)
    "Mouth",
    "EyeWhiteL",
    "EyeWhiteR",
    "IrisL",
    "IrisR",
    "LashLowerL", "LashLowerR",
    "EyelidL", "EyelidR",
    "LashUpperL", "LashUpperR",
    "LidLineL", "LidLineR",  # over the upper lash: its pale rim squeezed onto the line does not break it
    "BrowL",
    "BrowR",
    "Glasses",
    "FrontHair",
    "HairAccessory",
    "Hat",
    "Accessory",
)
"""Every layer name, in draw order (back to front)."""
