"""Media helpers shared by the app: image probing and clean re-encoding, MP4 probing."""
