"""Safety: moderation of prompts, comments, captions, transcripts, input images and
rendered frames; public-figure (likeness) protection."""

from kinema.safety.images import (
    Detection,
    check_frames,
    check_image,
    check_video,
    detect,
    faces,
    judge_detections,
)
from kinema.safety.public_figures import (
    PublicFigure,
    add_public_figures,
    find_public_figures,
    public_figures,
)
from kinema.safety.text import moderate_text
from kinema.safety.verdict import CATEGORIES, Verdict

__all__ = [
    "CATEGORIES",
    "Detection",
    "PublicFigure",
    "Verdict",
    "add_public_figures",
    "check_frames",
    "check_image",
    "check_video",
    "detect",
    "faces",
    "find_public_figures",
    "judge_detections",
    "moderate_text",
    "public_figures",
]
