from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from kinema.errors import InvalidInput
from kinema.safety import Detection, check_image, detect, faces, judge_detections


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket"])
def test_ordinary_photos_are_allowed(name: str) -> None:
    image = getattr(data, name)()
    assert check_image(image).allowed


def test_detector_runs_offline_on_files_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    from_file = detect(path)
    from_bytes = detect(path.read_bytes())
    assert [d.label for d in from_file] == [d.label for d in from_bytes]
    # The astronaut photo shows a face and nothing exposed.
    assert any(d.label == "FACE_FEMALE" for d in faces(path))
    assert check_image(path).allowed


def test_exposed_parts_above_threshold_are_refused() -> None:
    verdict = judge_detections([Detection("FEMALE_BREAST_EXPOSED", 0.8, (10, 10, 50, 50))])
    assert not verdict.allowed and verdict.category == "sexual"
    assert judge_detections([Detection("MALE_GENITALIA_EXPOSED", 0.4, (0, 0, 5, 5))]).category


def test_weak_or_covered_detections_are_allowed() -> None:
    detections = [
        Detection("FEMALE_BREAST_EXPOSED", 0.3, (0, 0, 10, 10)),
        Detection("FEMALE_BREAST_COVERED", 0.95, (0, 0, 10, 10)),
        Detection("BELLY_EXPOSED", 0.9, (0, 0, 10, 10)),
        Detection("FACE_MALE", 0.9, (0, 0, 10, 10)),
        Detection("FEET_EXPOSED", 0.9, (0, 0, 10, 10)),
    ]
    assert judge_detections(detections).allowed


def test_greyscale_and_rgba_arrays_work() -> None:
    assert check_image(data.camera()).allowed
    rgba = np.dstack([data.coffee(), np.full(data.coffee().shape[:2], 255, np.uint8)])
    assert check_image(rgba).allowed


def test_unreadable_image_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"definitely not a picture")
    with pytest.raises(InvalidInput):
        check_image(junk)


def test_rendered_video_frames_are_checked(tmp_path: Path) -> None:
    from kinema.provenance.video import write_video
    from kinema.safety import check_video

    photo = cv2.resize(data.chelsea(), (256, 192))
    frames = [np.roll(photo, shift, axis=1) for shift in range(0, 48, 2)]
    video = write_video(frames, tmp_path / "cat.mp4", fps=12)
    assert check_video(video, every_seconds=0.5).allowed
