"""Mask tracking: from a few marks (a mask, a box or points on one or a few frames) to a mask on every frame.

Weight-free: a small network learns the object on the marked frames of this one video, and DIS optical flow carries
the mask from frame to frame. See :func:`track` and :class:`TrackConfig`.
"""

from videofill.track.config import TrackConfig
from videofill.track.marks import Mark, check_marks, mark_to_mask
from videofill.track.scores import mask_scores
from videofill.track.tracker import track, track_stream

__all__ = ["Mark", "TrackConfig", "check_marks", "mark_to_mask", "mask_scores", "track", "track_stream"]
