"""The web app (``videofill app``): open a video, mark the object, watch it disappear.

:mod:`videofill.app.session` holds one user's work and its actions as plain methods (usable without a browser),
:mod:`videofill.app.jobs` runs the inpainting in a worker process (one run at a time), and
:mod:`videofill.app.server` builds the Gradio page and serves it (``pip install 'videofill[app]'``).
Nothing here imports Gradio until :mod:`videofill.app.server` is imported.
"""
