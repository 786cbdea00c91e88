"""MP4 writing with PyAV: H.264 (yuv420p) video and AAC 48 kHz stereo audio, with the
index at the front (faststart) so a browser can start playing before the download ends,
and the credits in the container's metadata."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np
from PIL import Image

AUDIO_RATE = 48000
AUDIO_BITRATE = 160_000
# Fast settings: a short clip is encoded in about the time it takes to render it. The
# speed benchmark measures PyAV alone with exactly these. Macroblock-tree rate control is
# off because with it the same frames did not always give the same bitstream (and so not
# the same decoded pictures), and a seed must always give the same video.
X264_OPTIONS = {"preset": "veryfast", "crf": "23", "profile": "high", "x264-params": "mbtree=0"}


def rgb_to_yuv420(image: Image.Image) -> np.ndarray:
    """An RGB frame as planar yuv420p (shape ``(h * 3 // 2, w)``), ready for the encoder;
    done in the renderer's process so the encoding process only encodes."""
    frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
    # to_ndarray may be a view of the frame's own buffers, freed with the frame: copy.
    return np.array(frame.to_ndarray(), copy=True)


class VideoWriter:
    """Writes one MP4. Frames go in as they are rendered; the soundtrack may come at any
    time and is interleaved with the video from then on."""

    def __init__(self, path: Path, width: int, height: int, fps: int,
                 metadata: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.fps = fps
        self.container = av.open(str(self.path), mode="w", format="mp4",
                                 options={"movflags": "+faststart"})
        for key, value in (metadata or {}).items():
            self.container.metadata[key] = value
        stream = self.container.add_stream("libx264", rate=fps, options=dict(X264_OPTIONS))
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.codec_context.time_base = Fraction(1, fps)
        self.video = stream
        audio = self.container.add_stream("aac", rate=AUDIO_RATE)
        audio.layout = "stereo"
        audio.bit_rate = AUDIO_BITRATE
        self.audio = audio
        self.frames = 0
        self._audio_packets: list[av.Packet] = []

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if error is None:
            self.close()
        else:
            self.container.close()
            self.path.unlink(missing_ok=True)  # never leave half a video behind

    def add_frame(self, yuv: np.ndarray) -> None:
        """Encode the next frame (planar yuv420p from ``rgb_to_yuv420``)."""
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = self.frames
        frame.time_base = Fraction(1, self.fps)
        self.frames += 1
        self.container.mux(self.video.encode(frame))
        self._mux_audio_until(self.frames / self.fps)

    def add_soundtrack(self, samples: np.ndarray) -> None:
        """Encode the whole soundtrack, ``(n, 2)`` float32 at 48 kHz; its packets are
        muxed alongside the video frames of the same time."""
        planar = np.ascontiguousarray(np.clip(samples, -1.0, 1.0).T.astype(np.float32))
        block = 1024 * 16
        for offset in range(0, planar.shape[1], block):
            chunk = np.ascontiguousarray(planar[:, offset: offset + block])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = AUDIO_RATE
            frame.pts = offset
            frame.time_base = Fraction(1, AUDIO_RATE)
            self._audio_packets.extend(self.audio.encode(frame))
        self._audio_packets.extend(self.audio.encode(None))
        self._mux_audio_until(self.frames / self.fps)

    def _mux_audio_until(self, seconds: float) -> None:
        while self._audio_packets:
            packet = self._audio_packets[0]
            if packet.pts is not None and packet.time_base is not None and (
                    float(packet.pts * packet.time_base) > seconds):
                break
            self.container.mux(self._audio_packets.pop(0))

    def close(self) -> None:
        """Flush the encoders and finish the file."""
        self.container.mux(self.video.encode(None))
        self._mux_audio_until(float("inf"))
        self.container.close()
