"""Files in and out: images and frame folders, videos (reading, writing with audio), masks, atomic writes, times.

Frames at this boundary are numpy ``uint8`` RGB, one frame ``(H, W, 3)``, a clip ``(T, H, W, 3)``; holes are
``bool (T, H, W)``, True = hole (see :mod:`videofill.io.masks` for the file convention, 255 = hole). Every problem
the user can fix (missing file, not a video, corrupt file, mixed frame sizes, existing output) is a
:class:`~videofill.errors.VideofillError` whose one-line message names the file.
"""
