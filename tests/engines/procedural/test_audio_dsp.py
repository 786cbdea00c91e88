"""The soundtrack's NumPy signal tools give the samples SciPy's would, so swapping SciPy out
changes nothing anyone can hear; and the engine's sound never loads SciPy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from kinema.engines.procedural.audio_dsp import (
    butterworth,
    convolve,
    fast_length,
    filter_sections,
    running_max,
    running_mean,
    running_min,
)

signal = pytest.importorskip("scipy.signal")
ndimage = pytest.importorskip("scipy.ndimage")
scipy_fft = pytest.importorskip("scipy.fft")

RATE = 48000
DESIGNS = [
    ("lowpass", 700.0),
    ("lowpass", 150.0),
    ("lowpass", 9000.0),
    ("lowpass", RATE / 2 * 0.99),
    ("highpass", 25.0),
    ("highpass", 7000.0),
    ("bandpass", (90.0, 900.0)),
    ("bandpass", (85.0, 115.0)),
    ("bandpass", (2500.0, 12000.0)),
    ("bandpass", (100.0, 20000.0)),
]


def _close(got: np.ndarray, want: np.ndarray, rtol: float) -> None:
    """Equal shapes, and every sample within ``rtol`` of the reference's peak."""
    assert got.shape == want.shape
    scale = max(float(np.max(np.abs(want))), 1e-300) if want.size else 1.0
    assert float(np.max(np.abs(got - want), initial=0.0)) <= rtol * scale


def _scipy_sos(order: int, cutoff: float | tuple[float, float], kind: str) -> np.ndarray:
    edges = np.asarray(cutoff, dtype=np.float64) / (RATE / 2)
    return np.asarray(signal.butter(order, edges, kind, output="sos"))


# --- convolution -------------------------------------------------------------------------


@pytest.mark.parametrize(("la", "lb"), [(1, 1), (5, 3), (3, 5), (1000, 37), (48000, 24000)])
def test_convolve_matches_fftconvolve(la: int, lb: int) -> None:
    rng = np.random.default_rng(la * 7 + lb)
    a, b = rng.standard_normal(la), rng.standard_normal(lb)
    want = signal.fftconvolve(a, b)
    _close(convolve(a, b), want, 1e-12)
    _close(convolve(a, b, la), want[:la], 1e-12)  # the way reverbs and rain use it
    _close(convolve(a, b, 10 * (la + lb)), want, 1e-12)  # asking for more gets it all


def test_convolve_of_nothing_is_nothing() -> None:
    assert convolve(np.zeros(0), np.ones(4)).size == 0
    assert convolve(np.ones(4), np.zeros(0)).size == 0
    assert convolve(np.ones(4), np.ones(4), 0).size == 0
    with pytest.raises(ValueError):
        convolve(np.ones((4, 2)), np.ones(3))


def test_fast_length_is_the_smallest_fast_fft_size() -> None:
    for n in [*range(1, 400), 1021, 4801, 48001, 480_001, 486_000]:
        assert fast_length(n) == scipy_fft.next_fast_len(n, real=True)


# --- Butterworth filters -----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "cutoff"), DESIGNS)
@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_butterworth_sections_match_scipy(
    kind: str, cutoff: float | tuple[float, float], order: int
) -> None:
    want = _scipy_sos(order, cutoff, kind)
    got = butterworth(order, cutoff, kind, RATE)
    assert got.shape == want.shape
    # Same sections in the same order; the gain rides on the first.
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("kind", "cutoff"), DESIGNS)
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_filter_sections_matches_sosfilt(
    kind: str, cutoff: float | tuple[float, float], order: int
) -> None:
    rng = np.random.default_rng(order)
    sos = butterworth(order, cutoff, kind, RATE)
    reference = _scipy_sos(order, cutoff, kind)
    # Lengths around the block size, a clip, a second; mono and stereo (along axis 0).
    for shape in [(1,), (7,), (31,), (32,), (33,), (4800,), (48000,), (9601, 2), (3000, 2, 3)]:
        x = rng.standard_normal(shape)
        _close(filter_sections(sos, x), signal.sosfilt(reference, x, axis=0), 1e-9)


def test_filter_sections_of_a_long_stereo_track_matches_sosfilt() -> None:
    x = np.random.default_rng(3).standard_normal((10 * RATE, 2))
    for order, cutoff, kind in [(2, 25.0, "highpass"), (3, 700.0, "lowpass")]:
        want = signal.sosfilt(_scipy_sos(order, cutoff, kind), x, axis=0)
        _close(filter_sections(butterworth(order, cutoff, kind, RATE), x), want, 1e-9)


def test_filter_sections_matches_lfilter_on_biquads() -> None:
    """Two hand-made biquads in a row (the loudness meter's K-weighting), against
    ``lfilter`` applied twice."""
    rng = np.random.default_rng(5)
    shelf_b, shelf_a = (
        [1.53512485958697, -2.69169618940638, 1.19839281085285],
        [
            1.0,
            -1.69065929318241,
            0.73248077421585,
        ],
    )
    high_b, high_a = [1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621]
    x = rng.standard_normal((RATE, 2))
    want = signal.lfilter(high_b, high_a, signal.lfilter(shelf_b, shelf_a, x, axis=0), axis=0)
    got = filter_sections(np.array([[*shelf_b, *shelf_a], [*high_b, *high_a]]), x)
    _close(got, want, 1e-9)
    # a0 other than 1 is divided out, as lfilter does.
    scaled = filter_sections(np.array([[2 * c for c in [*high_b, *high_a]]]), x[:, 0])
    _close(scaled, signal.lfilter(high_b, high_a, x[:, 0]), 1e-9)


def test_filters_keep_silence_silent_and_empty_empty() -> None:
    sos = butterworth(2, (90.0, 900.0), "bandpass", RATE)
    assert not np.any(filter_sections(sos, np.zeros((1000, 2))))
    assert filter_sections(sos, np.zeros(0)).shape == (0,)
    assert filter_sections(sos, np.zeros((0, 2))).shape == (0, 2)


@pytest.mark.parametrize(
    ("order", "cutoff", "kind"),
    [
        (0, 100.0, "lowpass"),
        (2, 0.0, "lowpass"),
        (2, RATE / 2, "highpass"),
        (2, (900.0, 90.0), "bandpass"),
        (2, 100.0, "bandpass"),
        (2, 100.0, "notch"),
    ],
)
def test_impossible_filters_are_refused(
    order: int, cutoff: float | tuple[float, float], kind: str
) -> None:
    with pytest.raises(ValueError):
        butterworth(order, cutoff, kind, RATE)


def test_malformed_sections_are_refused() -> None:
    with pytest.raises(ValueError):
        filter_sections(np.ones((1, 5)), np.ones(10))
    with pytest.raises(ValueError):
        filter_sections(np.array([[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]]), np.ones(10))


# --- running windows ---------------------------------------------------------------------

LENGTHS = [0, 1, 2, 5, 100, 1001]
SIZES = [1, 2, 3, 4, 7, 100, 2000]  # 100 and 2000 outgrow the short signals


@pytest.mark.parametrize("mode", ["reflect", "nearest"])
def test_running_mean_matches_uniform_filter1d(mode: str) -> None:
    rng = np.random.default_rng(7)
    for n in LENGTHS:
        x = rng.standard_normal(n)
        for size in SIZES:
            want = ndimage.uniform_filter1d(x, size, mode=mode)
            _close(running_mean(x, size, mode), want, 1e-12)


@pytest.mark.parametrize("mode", ["reflect", "nearest"])
def test_running_max_and_min_match_scipy_exactly(mode: str) -> None:
    rng = np.random.default_rng(8)
    for n in LENGTHS:
        x = rng.standard_normal(n)
        for size in SIZES:
            assert np.array_equal(
                running_max(x, size, mode), ndimage.maximum_filter1d(x, size, mode=mode)
            )
            assert np.array_equal(
                running_min(x, size, mode), ndimage.minimum_filter1d(x, size, mode=mode)
            )


def test_running_windows_along_either_axis_of_a_2d_signal() -> None:
    x = np.random.default_rng(9).standard_normal((700, 3))
    for axis in (0, 1, -1):
        for size in (1, 4, 25, 1500):
            _close(running_mean(x, size, axis=axis), ndimage.uniform_filter1d(x, size, axis), 1e-12)
            assert np.array_equal(
                running_max(x, size, "nearest", axis),
                ndimage.maximum_filter1d(x, size, axis, mode="nearest"),
            )
            assert np.array_equal(
                running_min(x, size, axis=axis), ndimage.minimum_filter1d(x, size, axis)
            )


def test_running_windows_of_a_long_gain_curve() -> None:
    """The sizes the mix uses (0.25 s means, a 0.5 s hold, the limiter's window) on ten
    seconds of a gain curve, as the ducking and the limiter see it."""
    rng = np.random.default_rng(10)
    gain = np.clip(1.2 - np.abs(rng.standard_normal(10 * RATE)) * 0.3, 0.0, 1.0)
    held = running_max(gain, RATE // 2)
    assert np.array_equal(held, ndimage.maximum_filter1d(gain, RATE // 2))
    _close(running_mean(held, RATE // 4), ndimage.uniform_filter1d(held, RATE // 4), 1e-12)
    floor = running_min(gain, 481, "nearest")
    assert np.array_equal(floor, ndimage.minimum_filter1d(gain, 481, mode="nearest"))
    _close(
        running_mean(floor, 241, "nearest"),
        ndimage.uniform_filter1d(floor, 241, mode="nearest"),
        1e-12,
    )


def test_bad_windows_are_refused() -> None:
    for tool in (running_mean, running_max, running_min):
        with pytest.raises(ValueError):
            tool(np.ones(10), 0)
        with pytest.raises(ValueError):
            tool(np.ones(10), 3, "wrap")


# --- no SciPy on the engine's path -------------------------------------------------------


def test_making_a_soundtrack_loads_no_scipy() -> None:
    """SciPy's signal package alone takes most of a second to import, and every video
    waits for the sound stages: none of them may load it."""
    code = (
        "import sys\n"
        "import kinema.engines.procedural.engine\n"
        "import kinema.engines.procedural.audio\n"
        "import kinema.engines.procedural.speech\n"
        "import kinema.engines.procedural.voices\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"
