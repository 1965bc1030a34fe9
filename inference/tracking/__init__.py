"""Live face tracking: frame sources, MediaPipe FaceLandmarker features, mapping to Live2D parameters,
motion3.json recording, and a session loop that a worker thread (or the CLI) drives.

Qt-free: the Tracking dock runs :class:`inference.tracking.session.TrackingSession` on a worker thread.
"""
