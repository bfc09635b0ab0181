"""The app's session actions without a browser: each is a plain method over library calls."""

import zipfile

import cv2
import numpy as np
import pytest

from videofill.errors import VideofillError
from videofill.io.masks import dilate_holes
from videofill.io.video import read_frames
from videofill.io.writer import write_frames
from videofill.app.session import MARK_COLOUR, QUALITIES, Session

try:
    import videofill.track  # noqa: F401

    HAS_TRACK = True
except ImportError:
    HAS_TRACK = False
needs_track = pytest.mark.skipif(not HAS_TRACK, reason="videofill.track is not in this build")


@pytest.fixture(scope="module")
def sample_session(tmp_path_factory):
    session = Session(tmp_path_factory.mktemp("session"))
    message = session.load_sample()
    assert message.startswith("input.mp4: 24 frames, 320x176, 24 fps")
    yield session
    session.close()


def test_refuses_what_is_not_a_video(tmp_path):
    session = Session(tmp_path / "s", max_upload_bytes=1000)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(VideofillError, match="notes.txt is not a video"):
        session.load_video(text)
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\0" * 100)
    with pytest.raises(VideofillError, match="fake.mp4 is not a readable video"):
        session.load_video(fake)
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * 1001)
    with pytest.raises(VideofillError, match="big.mp4 is 0 MB; the limit is 0 MB"):
        session.load_video(big)
    assert list((tmp_path / "s").iterdir()) == []  # nothing kept of a refused upload
    with pytest.raises(VideofillError, match="open a video or the sample first"):
        session.click(0, 1, 1, "box")


def test_upload_is_copied_and_decoded(tmp_path):
    frames = np.random.default_rng(0).integers(0, 255, (5, 32, 48, 3), dtype=np.uint8)
    upload = write_frames(tmp_path / "clip.MP4", frames, 10, lossless=True)
    session = Session(tmp_path / "s")
    assert session.load_video(upload) == "input.mp4: 5 frames, 48x32, 10 fps"
    assert session.video == tmp_path / "s" / "input.mp4" and session.video.exists()
    np.testing.assert_array_equal(session.frames, frames)  # lossless RGB: bit-exact
    session.close()
    assert not (tmp_path / "s").exists()


@needs_track
def test_box_from_two_clicks_and_points(sample_session):
    session = sample_session
    assert session.click(3, 40, 60, "box").startswith("frame 3: first corner")
    assert session.corner == (3, 40, 60)
    session.click(3, 10, 90, "box")  # the opposite corner, given right to left
    assert session.corner is None and session.marks[3].box == (10, 60, 41, 91)  # x1, y1 exclusive
    session.click(5, 7, 8, "points")
    session.click(5, 9, 10, "points")
    assert session.marks[5].points == ((7, 8), (9, 10))
    session.clear_marks(5)
    assert sorted(session.marks) == [3]
    session.clear_marks()
    assert session.marks == {} and session.holes is None


@needs_track
def test_brush_mark_is_resized_and_checked(sample_session):
    session = sample_session
    with pytest.raises(VideofillError, match="nothing painted"):
        session.add_brush(2, np.zeros((88, 160), bool))
    painted = np.zeros((88, 160, 4), np.uint8)
    painted[10:20, 30:40, 3] = 255  # an RGBA layer at half size
    session.add_brush(2, painted)
    mask = session.marks[2].mask
    assert mask.shape == (176, 320) and mask.sum() == 400 and mask[20:40, 60:80].all()
    session.clear_marks()


@needs_track
def test_track_and_overlay(sample_session):
    from videofill.sample import render_sample

    session = sample_session
    with pytest.raises(VideofillError, match="no marks"):
        session.track("flow")
    _, truth, _ = render_sample()
    ys, xs = np.nonzero(truth[0])
    session.click(0, int(xs.min()) - 3, int(ys.min()) - 3, "box")
    session.click(0, int(xs.max()) + 3, int(ys.max()) + 3, "box")
    assert session.track("flow").endswith("of 24 frames")
    assert session.holes.shape == (24, 176, 320) and session.marked_video.exists()
    iou = (session.holes & truth).sum() / (session.holes | truth).sum()
    assert iou > 0.3, iou  # the flow tracker is rough, but follows the blob
    t = 12
    image = session.overlay(t)
    inside = cv2.erode(session.holes[t].astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)  # off the outline
    expected = (0.5 * session.frames[t][inside] + 0.5 * np.array(MARK_COLOUR)).astype(np.uint8)
    np.testing.assert_array_equal(image[inside], expected)
    far = ~dilate_holes(session.holes[t], 3)
    np.testing.assert_array_equal(image[far], session.frames[t][far])


def test_run_config():
    session = Session.__new__(Session)
    config = Session.run_config(session, dilate=5, quality="better")
    assert config.dilate == 5 and config.max_steps == QUALITIES["better"]["max_steps"]
    assert Session.run_config(session, 0, "draft").propagation_passes == 1
    best = Session.run_config(session, 0, "best")
    assert best.quality == "best" and best.combine == "auto" and best.copy_combine == "agree"
    assert best.unseen_filler == "auto" and Session.run_config(session, 0, "texture").unseen_filler == "exemplar"
    assert config.combine == "auto" and config.copy_combine == "median"
    assert Session.run_config(session, 0, "fast", one_copy=True).combine == "one"
    with pytest.raises(VideofillError, match="unknown quality"):
        Session.run_config(session, 0, "superb")
    with pytest.raises(VideofillError, match="dilate"):
        Session.run_config(session, -1, "fast")


def test_finish_run_writes_outputs(tmp_path):
    from videofill.sample import render_sample

    frames, holes, truth = render_sample(frame_count=6, size=(64, 48))
    session = Session(tmp_path / "s")
    session.load_video(write_frames(tmp_path / "in.mp4", frames, 12, lossless=True))
    with pytest.raises(VideofillError, match="no marks"):
        session.start_run(runner=None)
    session.holes, session.run_dilate = holes, 2
    write_frames(session.folder / "result.mp4", truth, 12, lossless=True)  # stands in for a run's result
    files = session.finish_run()
    with zipfile.ZipFile(files["masks"]) as archive:
        assert sorted(archive.namelist()) == [f"{t:05d}.png" for t in range(6)]
        masks = np.stack([cv2.imdecode(np.frombuffer(archive.read(n), np.uint8), 0) for n in sorted(archive.namelist())])
    np.testing.assert_array_equal(masks == 255, dilate_holes(holes, 2))
    assert read_frames(files["compare"]).shape == (6, 48, 128, 3)  # input | result
    assert cv2.imread(str(files["slice"])) is not None
