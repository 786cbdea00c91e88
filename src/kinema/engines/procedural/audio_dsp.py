"""Signal tools for the soundtrack, in NumPy alone: changing a clip's sample rate,
keeping one band of frequencies, smoothing a pitch track, convolving, Butterworth and
other recursive filters, and running means, maxima and minima.

Speech and the mix are made while the video renders, so whatever they load delays it;
SciPy's signal and image packages cost most of a second to import. These give the same
samples (to rounding) as ``scipy.signal`` and ``scipy.ndimage`` would, so no stage of the
engine needs SciPy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np


def resample(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """``x`` at ``up / down`` times its sample rate, band-limited (through the FFT, with
    the clip padded so its ends do not ring into each other)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if up == down or x.size == 0:
        return x.astype(np.float32)
    pad = min(x.size, 1024)
    padded = np.concatenate([np.zeros(pad), x, np.zeros(pad)])
    n_in = padded.size
    n_out = max(1, round(n_in * up / down))
    spectrum = np.fft.rfft(padded)
    keep = min(spectrum.size, n_out // 2 + 1)
    out_spectrum = np.zeros(n_out // 2 + 1, dtype=complex)
    out_spectrum[:keep] = spectrum[:keep]
    y = np.fft.irfft(out_spectrum, n_out) * (n_out / n_in)
    start = round(pad * up / down)
    length = int(np.ceil(x.size * up / down))
    return y[start : start + length].astype(np.float32)


def band(x: np.ndarray, sample_rate: int, low: float, high: float) -> np.ndarray:
    """``x`` with only the frequencies from ``low`` to ``high`` Hz, softly edged."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0:
        return x
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(x.size, 1.0 / sample_rate)
    # A raised-cosine edge an octave wide on each side, like a gentle filter.
    gain = np.clip(np.log2(np.maximum(freqs, 1e-9) / (low / 2)), 0.0, 1.0)
    gain *= np.clip(np.log2((high * 2) / np.maximum(freqs, 1e-9)), 0.0, 1.0)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    return np.fft.irfft(spectrum * gain, x.size)


def median_smooth(x: np.ndarray, size: int) -> np.ndarray:
    """A running median over ``size`` values (odd), the ends padded with their nearest
    values, as a pitch track is smoothed."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0 or size <= 1:
        return x
    half = size // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    windows = np.lib.stride_tricks.sliding_window_view(padded, size)
    return np.median(windows, axis=1)


# --- convolution and recursive filters ----------------------------------------------------


@lru_cache(maxsize=256)
def fast_length(n: int) -> int:
    """The smallest length of at least ``n`` whose only prime factors are 2, 3 and 5,
    where the FFT is quickest."""
    if n <= 6:
        return max(n, 1)
    best = 1 << (n - 1).bit_length()
    fives = 1
    while fives < best:
        odd = fives
        while odd < best:
            quotient = -(-n // odd)
            best = min(best, odd << (quotient - 1).bit_length())
            odd *= 3
        fives *= 5
    return best


def convolve(a: np.ndarray, b: np.ndarray, length: int | None = None) -> np.ndarray:
    """The full convolution of the 1-D ``a`` and ``b`` (``len(a) + len(b) - 1`` samples),
    or only its first ``length`` samples, through the FFT (as ``scipy.signal.fftconvolve``)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError("convolve takes two 1-D signals.")
    if a.size == 0 or b.size == 0:
        return np.zeros(0)
    keep = a.size + b.size - 1 if length is None else min(max(length, 0), a.size + b.size - 1)
    if keep == 0:
        return np.zeros(0)
    # The first ``keep`` samples depend only on the first ``keep`` of each input.
    a, b = a[:keep], b[:keep]
    size = fast_length(a.size + b.size - 1)
    return np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(b, size), size)[:keep]


@lru_cache(maxsize=128)
def butterworth(
    order: int, cutoff: float | tuple[float, float], kind: str, sample_rate: float
) -> np.ndarray:
    """A Butterworth filter of ``order`` (``kind`` "lowpass", "highpass" or "bandpass",
    ``cutoff`` in Hz, a (low, high) pair for a band) as second-order sections, one row
    ``[b0, b1, b2, 1, a1, a2]`` each, designed as ``scipy.signal.butter(...,
    output="sos")`` designs it: the analog prototype's poles, prewarped and mapped by the
    bilinear transform, the poles nearest the unit circle in the last section."""
    if order < 1:
        raise ValueError("A filter's order is at least 1.")
    edges = np.atleast_1d(np.asarray(cutoff, dtype=np.float64))
    if kind == "bandpass":
        if edges.size != 2 or not 0 < edges[0] < edges[1] < sample_rate / 2:
            raise ValueError("A band needs 0 < low < high < half the sample rate.")
    elif kind in ("lowpass", "highpass"):
        if edges.size != 1 or not 0 < edges[0] < sample_rate / 2:
            raise ValueError("A cutoff lies between 0 and half the sample rate.")
    else:
        raise ValueError(f"Unknown filter kind {kind!r}.")
    # The analog prototype (cutoff 1 rad/s): poles evenly spaced on the left half circle.
    prototype = -np.exp(1j * np.pi * np.arange(-order + 1, order, 2) / (2 * order))
    # Prewarped edges, in units where the bilinear transform is z = (1 + s) / (1 - s).
    warped = np.tan(np.pi * edges / sample_rate)
    # Zeros at s = 0 (a high pass's, half a band's) land on z = 1, those at infinity on
    # z = -1.
    if kind == "lowpass":
        poles, gain, zeros = warped[0] * prototype, warped[0] ** order, [-1.0] * order
    elif kind == "highpass":
        poles, gain = warped[0] / prototype, np.real(1 / np.prod(-prototype))
        zeros = [1.0] * order
    else:
        width, centre = warped[1] - warped[0], np.sqrt(warped[0] * warped[1])
        half = prototype * width / 2
        spread = np.sqrt(half**2 - centre**2)
        poles, gain = np.concatenate([half + spread, half - spread]), width**order
        zeros = [1.0] * order + [-1.0] * order
    gain = float(gain * np.real(1 / np.prod(1 - poles)))  # the bilinear transform's share
    sos = _pair_sections(zeros, list((1 + poles) / (1 - poles)))
    sos[0, :3] *= gain
    sos.setflags(write=False)
    return sos


def _pair_sections(zeros: list[float], poles: list[complex]) -> np.ndarray:
    """Real ``zeros`` and the ``poles`` (conjugate pairs and real ones) of a filter
    grouped into second-order sections as ``scipy.signal.zpk2sos`` groups them: the
    pole nearest the unit circle goes last, each pole pair with the nearest zeros."""
    zeros, poles = list(zeros), list(poles)
    if len(poles) % 2:
        poles.append(0j)
        zeros.append(0.0)
    rows: list[list[float]] = []
    while poles:
        first = poles.pop(int(np.argmin([abs(1 - abs(p)) for p in poles])))
        if abs(first.imag) > 1e-14 * abs(first):
            poles.pop(int(np.argmin([abs(p - first.conjugate()) for p in poles])))
            second = first.conjugate()
        else:
            real = [i for i, p in enumerate(poles) if abs(p.imag) <= 1e-14 * abs(p)]
            second = poles.pop(real[int(np.argmin([abs(1 - abs(poles[i])) for i in real]))])
        pair = [zeros.pop(int(np.argmin([abs(z - first) for z in zeros]))) for _ in range(2)]
        rows.insert(0, [*np.poly(pair), *np.real(np.poly([first, second]))])
    return np.array(rows)


# Samples per block in ``filter_sections``: the within-block work is a matrix product
# that grows with the block, the Python steps between blocks shrink with it.
_BLOCK = 32


@lru_cache(maxsize=256)
def _block_system(
    sos_bytes: bytes,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cascade of second-order sections as one state-space system, and what it does
    over a block of ``_BLOCK`` samples: the block's output from its input (a Toeplitz
    matrix of the impulse response) stacked over its output from the state it starts in,
    the state it ends in from its input, and the state map from one block to the next."""
    sos = np.frombuffer(sos_bytes).reshape(-1, 6)
    # Each section in transposed direct form II; section k's input is section k-1's output.
    a_matrix, b_vector, c_vector, d = np.zeros((0, 0)), np.zeros(0), np.zeros(0), 1.0
    for b0, b1, b2, a0, a1, a2 in sos:
        b0, b1, b2, a1, a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
        m = a_matrix.shape[0]
        grown = np.zeros((m + 2, m + 2))
        grown[:m, :m] = a_matrix
        grown[m:, :m] = np.outer([b1 - a1 * b0, b2 - a2 * b0], c_vector)
        grown[m:, m:] = [[-a1, 1.0], [-a2, 0.0]]
        b_vector = np.concatenate([b_vector, np.array([b1 - a1 * b0, b2 - a2 * b0]) * d])
        c_vector = np.concatenate([b0 * c_vector, [1.0, 0.0]])
        a_matrix, d = grown, b0 * d
    size = a_matrix.shape[0]
    powers = np.empty((_BLOCK + 1, size, size))
    powers[0] = np.eye(size)
    for t in range(1, _BLOCK + 1):
        powers[t] = a_matrix @ powers[t - 1]
    impulse = np.concatenate(
        [[d], np.einsum("m,tmk,k->t", c_vector, powers[: _BLOCK - 1], b_vector)]
    )
    lag = np.arange(_BLOCK)[:, None] - np.arange(_BLOCK)[None, :]
    from_input = np.where(lag >= 0, impulse[np.maximum(lag, 0)], 0.0)  # out[t] <- in[j]
    from_state = np.einsum("m,tmk->tk", c_vector, powers[:_BLOCK])  # out[t] <- start state
    to_state = np.einsum("tmk,k->tm", powers[_BLOCK - 1 :: -1], b_vector)  # end state <- in[t]
    return np.concatenate([from_input.T, from_state.T]), to_state, powers[_BLOCK]


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a tall ``a``, a few hundred rows at a time: products that small stay
    on one thread in OpenBLAS, whose spare threads would otherwise spin on the cores the
    frame renderers are using while the soundtrack is mixed beside them."""
    out = np.empty((a.shape[0], b.shape[1]))
    step = max(1, 200_000 // (a.shape[1] * b.shape[1]))
    for start in range(0, a.shape[0], step):
        np.matmul(a[start : start + step], b, out=out[start : start + step])
    return out


def filter_sections(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x`` through the second-order sections ``sos`` (rows ``[b0, b1, b2, a0, a1,
    a2]``) along its first axis, starting at rest (as ``scipy.signal.sosfilt``).

    The recursion runs a block of samples at a time: a block's output is one matrix
    product of its input and the state it starts in, and the states at the block starts
    follow their own, 32 times shorter, recursion, solved in groups the same way. No
    Python loop visits every sample, and the result is the same to rounding.
    """
    sos = np.ascontiguousarray(sos, dtype=np.float64)
    if sos.ndim != 2 or sos.shape[1] != 6 or sos.shape[0] == 0 or np.any(sos[:, 3] == 0):
        raise ValueError("Sections are rows [b0, b1, b2, a0, a1, a2] with a0 not zero.")
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0] if x.ndim else 0
    if n == 0:
        return x.copy()
    outputs, to_state, step = _block_system(sos.tobytes())
    size = step.shape[0]
    # One row per block of each channel, then the state the filter starts that block in:
    # the block's output is then one matrix product, ``rows @ outputs``.
    channels = x.reshape(n, -1).T
    count, blocks, whole = channels.shape[0], -(-n // _BLOCK), n // _BLOCK
    rows = np.zeros((count, blocks, _BLOCK + size))
    rows[:, :whole, :_BLOCK] = channels[:, : whole * _BLOCK].reshape(count, whole, _BLOCK)
    rows[:, whole:, : n - whole * _BLOCK] = channels[:, None, whole * _BLOCK :]
    # The start states: state[k + 1] = step @ state[k] + gathered[k], where gathered[k]
    # is where block k would leave a filter that started it at rest. Solved in groups of
    # ``span`` blocks: every group as if it started at rest, then the groups' true start
    # states one after another, then the two added.
    span = max(1, int(np.ceil(np.sqrt(blocks))))
    groups = -(-blocks // span)
    gathered = np.zeros((count, groups * span, size))
    gathered[:, :blocks] = _product(rows[:, :, :_BLOCK].reshape(-1, _BLOCK), to_state).reshape(
        count, blocks, size
    )
    gathered = gathered.reshape(count, groups, span, size)
    within = np.zeros((count, groups, span + 1, size))
    for i in range(span):
        within[:, :, i + 1] = within[:, :, i] @ step.T + gathered[:, :, i]
    steps = np.empty((span + 1, size, size))
    steps[0] = np.eye(size)
    for i in range(1, span + 1):
        steps[i] = step @ steps[i - 1]
    starts = np.zeros((count, groups, size))
    for g in range(1, groups):
        starts[:, g] = starts[:, g - 1] @ steps[span].T + within[:, g - 1, span]
    state = within[:, :, :span] + np.einsum("cgm,inm->cgin", starts, steps[:span])
    rows[:, :, _BLOCK:] = state.reshape(count, groups * span, size)[:, :blocks]
    out = _product(rows.reshape(-1, _BLOCK + size), outputs).reshape(count, -1)[:, :n]
    return np.ascontiguousarray(out.T).reshape(x.shape)


# --- running windows ----------------------------------------------------------------------

# The edge modes of scipy.ndimage by their np.pad names: "reflect" repeats the edge
# sample (d c b a | a b c d | d c b a), "nearest" holds it.
_EDGES = {"reflect": "symmetric", "nearest": "edge"}


def _check_window(size: int, mode: str) -> None:
    if size < 1:
        raise ValueError("A window holds at least one sample.")
    if mode not in _EDGES:
        raise ValueError(f"Unknown edge mode {mode!r}.")


def _scans(
    x: np.ndarray, size: int, mode: str, accumulate: Callable[..., np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Van Herk and Gil-Werman's two scans for windows of ``size`` along the first axis
    of ``x`` (``n`` samples): the edge-padded signal cut into blocks of ``size``, each
    block accumulated forwards and backwards. The window starting at padded sample
    ``j`` is ``backward[j]`` (from ``j`` to its block's end) joined with ``forward[j +
    size - 1]`` (from the next block's start to the window's end), which is the same
    block again when ``j`` starts a block. O(n) whatever the window."""
    n, rest = x.shape[0], x.shape[1:]
    blocks = -(-(n + size - 1) // size)
    # The padding runs on to whole blocks; what lies past the last window is never read.
    before = size // 2
    widths = [(before, blocks * size - n - before)] + [(0, 0)] * len(rest)
    padded: np.ndarray = np.pad(x, widths, mode=_EDGES[mode])  # type: ignore[call-overload]
    grid = padded.reshape((blocks, size, *rest))
    forward = accumulate(grid, axis=1).reshape((-1, *rest))[size - 1 : size - 1 + n]
    backward = np.empty_like(grid)
    accumulate(grid[:, ::-1], axis=1, out=backward[:, ::-1])
    return backward.reshape((-1, *rest))[:n], forward


def running_mean(x: np.ndarray, size: int, mode: str = "reflect", axis: int = -1) -> np.ndarray:
    """The mean of every ``size`` samples around each one along ``axis`` (as
    ``scipy.ndimage.uniform_filter1d``). Each sum runs over at most two blocks of
    ``size`` samples, never the whole signal, so rounding does not build up."""
    _check_window(size, mode)
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, 0)
    if x.shape[0] == 0 or size == 1:
        return np.moveaxis(x.copy(), 0, axis)
    backward, forward = _scans(x, size, mode, np.cumsum)
    forward[::size] = 0.0  # a window that starts a block is that block alone
    return np.moveaxis((backward + forward) / size, 0, axis)


def _running_extreme(x: np.ndarray, size: int, mode: str, axis: int, pick: np.ufunc) -> np.ndarray:
    """The largest (``pick`` = np.maximum) or smallest value of every ``size`` samples
    around each one along ``axis``."""
    _check_window(size, mode)
    x = np.moveaxis(np.asarray(x), axis, 0)
    if x.shape[0] == 0 or size == 1:
        return np.moveaxis(x.copy(), 0, axis)
    backward, forward = _scans(x, size, mode, pick.accumulate)
    return np.moveaxis(pick(backward, forward), 0, axis)


def running_max(x: np.ndarray, size: int, mode: str = "reflect", axis: int = -1) -> np.ndarray:
    """The largest of every ``size`` samples around each one along ``axis`` (as
    ``scipy.ndimage.maximum_filter1d``)."""
    return _running_extreme(x, size, mode, axis, np.maximum)


def running_min(x: np.ndarray, size: int, mode: str = "reflect", axis: int = -1) -> np.ndarray:
    """The smallest of every ``size`` samples around each one along ``axis`` (as
    ``scipy.ndimage.minimum_filter1d``)."""
    return _running_extreme(x, size, mode, axis, np.minimum)
