"""The procedural engine: prompt -> plan -> frames + sound -> MP4, on CPU, offline."""
