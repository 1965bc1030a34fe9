"""The Live2D standard parameters (ids, ranges, groups): anchors.md section 2.

Kirie uses these ids and ranges exactly; VTube Studio's auto-setup depends on them.
Source: https://docs.live2d.com/en/cubism-editor-manual/standard-parameter-list
"""

from __future__ import annotations

from rig.model.parameter import Parameter
from rig.model.rig import ParameterGroup

# id: (name, min, default, max, group)
STANDARD_PARAMETERS: dict[str, tuple[str, float, float, float, str]] = {
    "ParamAngleX": ("Angle X", -30, 0, 30, "ParamGroupFace"),
    "ParamAngleY": ("Angle Y", -30, 0, 30, "ParamGroupFace"),
    "ParamAngleZ": ("Angle Z", -30, 0, 30, "ParamGroupFace"),
    "ParamCheek": ("Cheek", 0, 0, 1, "ParamGroupFace"),
    "ParamEyeLOpen": ("Eye L Open", 0, 1, 1, "ParamGroupEyes"),
    "ParamEyeLSmile": ("Eye L Smile", 0, 0, 1, "ParamGroupEyes"),
    "ParamEyeROpen": ("Eye R Open", 0, 1, 1, "ParamGroupEyes"),
    "ParamEyeRSmile": ("Eye R Smile", 0, 0, 1, "ParamGroupEyes"),
    "ParamEyeBallX": ("Eyeball X", -1, 0, 1, "ParamGroupEyeballs"),
    "ParamEyeBallY": ("Eyeball Y", -1, 0, 1, "ParamGroupEyeballs"),
    "ParamEyeBallForm": ("Eyeball Form", -1, 0, 1, "ParamGroupEyeballs"),
    "ParamBrowLY": ("Brow L Y", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowRY": ("Brow R Y", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowLX": ("Brow L X", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowRX": ("Brow R X", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowLAngle": ("Brow L Angle", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowRAngle": ("Brow R Angle", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowLForm": ("Brow L Form", -1, 0, 1, "ParamGroupBrows"),
    "ParamBrowRForm": ("Brow R Form", -1, 0, 1, "ParamGroupBrows"),
    "ParamMouthForm": ("Mouth Form", -1, 0, 1, "ParamGroupMouth"),
    "ParamMouthOpenY": ("Mouth Open", 0, 0, 1, "ParamGroupMouth"),
    "ParamBodyAngleX": ("Body Angle X", -10, 0, 10, "ParamGroupBody"),
    "ParamBodyAngleY": ("Body Angle Y", -10, 0, 10, "ParamGroupBody"),
    "ParamBodyAngleZ": ("Body Angle Z", -10, 0, 10, "ParamGroupBody"),
    "ParamBreath": ("Breath", 0, 0, 1, "ParamGroupBody"),
    "ParamArmLA": ("Arm L A", -30, 0, 30, "ParamGroupArms"),
    "ParamArmRA": ("Arm R A", -30, 0, 30, "ParamGroupArms"),
    "ParamHairFront": ("Hair Front", -1, 0, 1, "ParamGroupSway"),
    "ParamHairSide": ("Hair Side", -1, 0, 1, "ParamGroupSway"),
    "ParamHairBack": ("Hair Back", -1, 0, 1, "ParamGroupSway"),
}

STANDARD_GROUPS: dict[str, str] = {
    "ParamGroupFace": "Face",
    "ParamGroupEyes": "Eyes",
    "ParamGroupEyeballs": "Eyeballs",
    "ParamGroupBrows": "Brows",
    "ParamGroupMouth": "Mouth",
    "ParamGroupBody": "Body",
    "ParamGroupArms": "Arms",
    "ParamGroupSway": "Sway",
}


def standard_parameter(parameter_id: str, keys: tuple[float, ...] = ()) -> Parameter:
    """A :class:`Parameter` with the standard name, range and group of ``parameter_id``.

    Raises KeyError for an id that is not in :data:`STANDARD_PARAMETERS`.
    """
    name, lo, default, hi, group = STANDARD_PARAMETERS[parameter_id]
    return Parameter(parameter_id, name, lo, default, hi, keys=keys, group=group)


def standard_group(group_id: str) -> ParameterGroup:
    return ParameterGroup(group_id, STANDARD_GROUPS[group_id])
