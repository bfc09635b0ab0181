import cv2
import numpy as np
import pytest
from scipy import ndimage

from videofill.fill.exemplar import exemplar_fill
from videofill.fill.membrane import SMOOTHS, membrane_fill, smooth_fills
from videofill.fill.motion import camera_is_static
from videofill.fill.propagate import Propagation, propagate
from videofill.fill.synthesis import (
    ALIGNED_PLATE_SHARE,
    EXEMPLAR_CONTRAST,
    HEDGE_SIGMA_PX,
    _soften,
    align_to_middle,
    background_plate,
    blend_plate,
    fill_plate,
    fill_unseen,
    largest_corner_move,
    synthesize_video,
    texture_ratio,
    thick_parts,
)

DATA = "/work/shared/data/tiny_sam2-coffee_x_tennis"


def _stripes(height, width, period):
    """Vertical stripes of ``period`` px (a sine in x), uint8 (H, W, 3), plus a faint ramp in y."""
    xs = np.arange(width)[None, :]
    ys = np.arange(height)[:, None]
    grey = 128 + 90 * np.sin(2 * np.pi * xs / period) + 0.1 * ys
    return np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def test_synthesis_reproduces_the_period_of_a_texture_under_a_static_box():
    period, count = 8, 3
    image = _stripes(96, 128, period)
    frames = np.repeat(image[None], count, axis=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 32:64, 48:80] = True  # 32 px wide: 4 periods; room beside it for the patches-or-diffusion check
    blanked = np.where(holes[..., None], 0, frames)
    out = synthesize_video(blanked, holes, holes, np.repeat(np.eye(3)[None], count - 1, axis=0), min_radius=0)
    for t in range(count):
        assert np.array_equal(out[t][~holes[t]], frames[t][~holes[t]])
    assert np.array_equal(out[0], out[-1])  # a static camera over a static hole: one synthesis for every frame
    profile = out[0, 32:64, 48:80, 0].astype(np.float64).mean(axis=0)
    spectrum = np.abs(np.fft.rfft(profile - profile.mean()))
    assert int(np.argmax(spectrum)) == 32 // period  # the peak at the texture's frequency (4 cycles in 32 px)
    assert profile.std() > 40  # the stripes' contrast, not a flat smear (a sine of amplitude 90 has std 64)


def test_seen_is_what_another_frame_shows():
    rng = np.random.default_rng(0)
    frames = np.repeat(rng.integers(0, 255, (1, 32, 48, 3), dtype=np.uint8), 3, axis=0)
    holes = np.zeros((3, 32, 48), bool)
    for t, x in enumerate((10, 14, 18)):  # a box moving right over a static scene: its middle is never shown
        holes[t, 8:20, x : x + 12] = True
    zero = np.zeros((2, 32, 48, 2), np.float32)
    result = propagate(frames, holes, zero, zero)
    assert np.array_equal(result.seen, holes & ~holes.all(axis=0))


def test_motion_around_a_still_hole_is_not_carried_into_it():
    frames = np.random.default_rng(1).integers(0, 255, (4, 40, 64, 3), dtype=np.uint8)
    holes = np.zeros((4, 40, 64), bool)
    holes[:, 14:26, 24:40] = True  # a static watermark
    flows = np.zeros((3, 40, 64, 2), np.float32)
    flows[:, 10:30, :, 0] = 6.0  # a crowd walking right behind it (the camera is static: most pixels do not move)
    assert propagate(frames, holes, flows, -flows).seen.any()  # by default the crowd's motion is carried in
    result = propagate(frames, holes, flows, -flows, still_holes=True)
    assert not result.seen.any()  # nothing from outside is carried in: the hole is left to the spatial fill / synthesis


def test_thick_parts_and_plate():
    mask = np.zeros((30, 40), bool)
    mask[2:4, 2:30] = True  # a 2 px stroke
    mask[10:28, 10:30] = True  # an 18 x 20 box
    kept = thick_parts(mask, 5)
    assert kept[10:28, 10:30].all() and not kept[2:4].any()
    frames = np.stack([np.full((4, 4, 3), v, np.uint8) for v in (10, 20, 30)])
    holes = np.zeros((3, 4, 4), bool)
    holes[0, 0, 0] = holes[1, 0, 0] = holes[2, 0, 0] = holes[2, 1, 1] = True
    plate, never = background_plate(frames, holes)
    assert never[0, 0] and never.sum() == 1 and plate[1, 1, 0] == 15 and plate[2, 2, 0] == 20


@pytest.mark.slow
def test_quality_best_end_to_end_on_the_tiny_case():
    from pathlib import Path

    if not Path(DATA).is_dir():
        pytest.skip("shared data not found")
    from videofill.config import get_preset
    from videofill.io.masks import read_masks
    from videofill.io.video import read_frames
    from videofill.pipeline import inpaint_video

    frames = read_frames(f"{DATA}/frames")
    holes = read_masks(f"{DATA}/masks", len(frames), (frames.shape[2], frames.shape[1]))
    holes[:, 12:36, 30:66] = True  # plus a static box that no frame shows
    result = inpaint_video(frames, holes, get_preset("default").replace(quality="best", dilate=0))
    assert result.frames.shape == frames.shape
    assert np.array_equal(result.frames[~holes], frames[~holes])
    assert not any("nothing was synthesised" in note for note in result.notes)


def test_quality_best_says_when_every_hole_pixel_is_shown_by_another_frame():
    from videofill.config import get_preset
    from videofill.pipeline import inpaint_video

    rng = np.random.default_rng(0)
    world = cv2.GaussianBlur(rng.integers(0, 256, (48, 120, 3)).astype(np.uint8), (0, 0), 1.5)
    frames = np.stack([world[:, 4 * t : 4 * t + 64] for t in range(8)])  # the camera pans 4 px a frame
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 16:32, 24:36] = True  # stays put in the frame: the pan shows what it covers

    def pan(first, second):  # the exact flow: content moves 4 px left
        flow = np.zeros((*first.shape[:2], 2), np.float32)
        flow[..., 0] = -4 * first.shape[1] / 64
        return flow

    config = get_preset("default").replace(quality="best", dilate=0, dilate_side=None, unseen_steps=0)
    notes = inpaint_video(frames, holes, config, flow_estimator=pan).notes
    assert any("nothing was synthesised" in note for note in notes)


def test_quality_best_says_so_under_a_static_camera_too_when_a_moving_hole_is_shown_by_other_frames():
    from videofill.config import get_preset
    from videofill.pipeline import inpaint_video

    rng = np.random.default_rng(0)
    scene = cv2.GaussianBlur(rng.integers(0, 256, (48, 64, 3)).astype(np.uint8), (0, 0), 1.5)
    frames = np.repeat(scene[None], 8, axis=0)  # a static camera; 64x48 frames are padded for the network
    holes = np.zeros(frames.shape[:3], bool)
    for t in range(8):
        holes[t, 34:48, 4 + 6 * t : 16 + 6 * t] = True  # moves along the bottom edge: every pixel shown by some frame

    def still(first, second):
        return np.zeros((*first.shape[:2], 2), np.float32)

    config = get_preset("default").replace(quality="best", dilate=0, dilate_side=None, unseen_steps=0)
    notes = inpaint_video(frames, holes, config, flow_estimator=still).notes
    assert any("nothing was synthesised" in note for note in notes)  # the padding is no hole that stays put


def _striped_plate():
    """A 96x64 plate of diagonal stripes (200 and 40, 4 px) and an 8x8 hole in its middle: diffusion smears a hole in
    them, patches continue them. (uint8 (H, W, 3), bool (H, W))."""
    ys, xs = np.mgrid[0:64, 0:96]
    grey = np.where(((xs + ys) // 4) % 2 == 0, 200, 40).astype(np.uint8)
    never = np.zeros((64, 96), bool)
    never[28:36, 44:52] = True
    return np.repeat(grey[..., None], 3, axis=2), never


def _softened_by_scipy(image):
    """``image`` with its detail finer than HEDGE_SIGMA_PX at EXEMPLAR_CONTRAST, computed with scipy (float)."""
    image = image.astype(np.float64)
    coarse = ndimage.gaussian_filter(image, (HEDGE_SIGMA_PX, HEDGE_SIGMA_PX, 0), mode="mirror")
    return coarse + EXEMPLAR_CONTRAST * (image - coarse)


def test_fill_plate_picks_patches_where_they_measure_better_than_diffusion():
    plate, never = _striped_plate()
    result = fill_plate(plate, never, network_steps=0, patch=5, min_radius=2)
    filled = result.filled
    (part, name), = result.choices
    assert result.errors["patches"] < 0.8 * result.errors["diffusion"]
    assert "exemplar" not in result.errors  # an 8 px hole: narrower than exemplar copies compete on
    assert name == "patches" and np.array_equal(part, never)
    error = np.abs(filled[never].astype(int) - plate[never]).mean()
    diffused = np.abs(membrane_fill(plate, never)[never].astype(int) - plate[never]).mean()
    assert error < 0.5 * diffused
    assert np.array_equal(filled[~never], plate[~never])


def test_forced_exemplar_copies_the_stripes_softened_and_leaves_thin_parts_to_diffusion():
    plate, never = _striped_plate()
    line = np.zeros_like(never)
    line[10, 10:30] = True  # one pixel thick: too thin to copy patches into
    result = fill_plate(plate, never | line, network_steps=0, min_radius=2, fillers=("exemplar",))
    assert result.errors == {}  # forced: nothing compared
    assert sorted(name for _, name in result.choices) == ["diffusion", "exemplar"]
    # every hole patch has an exact twin outside; the copies' detail is softened (EXEMPLAR_CONTRAST)
    assert np.abs(result.filled[never] - _softened_by_scipy(plate)[never]).max() <= 0.51
    smooth = smooth_fills(plate, never | line, (result.smooth,))[result.smooth]  # what the copies chose as diffusion
    assert np.array_equal(result.filled[line], smooth[line])


def test_fill_plate_refuses_an_unknown_filler_and_skips_the_network_on_a_tiny_plate():
    plate = np.full((64, 64, 3), 90, np.uint8)
    never = np.zeros((64, 64), bool)
    never[30:34, 30:34] = True
    with pytest.raises(ValueError, match="patch"):
        fill_plate(plate, never, fillers=("patch",))
    forced = fill_plate(plate, never, network_steps=5, fillers=("network",))  # 64 px < the network's 96: not run
    assert [name for _, name in forced.choices] == ["diffusion"]
    mean = fill_plate(plate, never, network_steps=5, fillers=("network+diffusion",))
    assert [name for _, name in mean.choices] == ["diffusion"]
    assert np.array_equal(forced.filled, membrane_fill(plate, never))  # a flat plate: every smooth fill is flat


def test_blend_plate_carries_the_frames_difference_from_the_plate_into_the_region():
    rng = np.random.default_rng(2)
    plate = rng.integers(40, 200, (48, 64, 3), dtype=np.uint8)
    region = np.zeros((48, 64), bool)
    region[16:32, 20:44] = True
    frame = np.where(region[..., None], 0, plate).astype(np.uint8)  # the region's pixels are never read
    assert np.array_equal(blend_plate(frame, plate, region), plate)  # the frame matches the plate: the plate's pixels
    shift = np.array([12, -20, 30])  # a light change: every known pixel moved by a constant per channel
    brighter = np.clip(plate.astype(int) + shift, 0, 255).astype(np.uint8)
    blended = blend_plate(np.where(region[..., None], 0, brighter).astype(np.uint8), plate, region)
    assert np.abs(blended[region].astype(int) - brighter[region]).max() <= 1  # the membrane keeps a constant
    assert np.array_equal(blended[~region], brighter[~region])
    everything = np.ones((48, 64), bool)  # a frame that is all region has no edge to diffuse from: the plate as it is
    assert np.array_equal(blend_plate(np.zeros_like(plate), plate, everything), plate)


def test_fill_plate_judges_the_copies_in_the_frames_when_given_them():
    plate, never = _striped_plate()
    grain = np.random.default_rng(4).integers(-10, 11, (3, *plate.shape))  # each frame the plate with its own grain
    frames = np.clip(plate.astype(int) + grain, 0, 255).astype(np.uint8)
    holes = np.repeat(never[None], 3, axis=0)
    on_plate = fill_plate(plate, never, network_steps=0, patch=5, min_radius=2)
    in_frames = fill_plate(plate, never, network_steps=0, patch=5, min_radius=2, frames=frames, holes=holes)
    assert [name for _, name in in_frames.choices] == ["patches"]
    assert in_frames.errors["patches"] < 0.8 * in_frames.errors["diffusion"]
    assert in_frames.errors["diffusion"] != on_plate.errors["diffusion"]  # measured another way: in the frames


def test_the_network_and_diffusion_candidate_keeps_the_networks_detail_on_diffusions_coarse_part():
    rng = np.random.default_rng(3)
    plate = cv2.GaussianBlur(rng.integers(0, 256, (96, 96, 3), dtype=np.uint8), (0, 0), 3)
    never = np.zeros((96, 96), bool)
    never[40:52, 40:52] = True
    network = fill_plate(plate, never, network_steps=3, fillers=("network",))
    both = fill_plate(plate, never, network_steps=3, fillers=("network+diffusion",))
    diffused = smooth_fills(plate, never, (both.smooth,))[both.smooth]  # the smooth fill the copies chose
    assert [name for _, name in both.choices] == ["network+diffusion"]
    # computed another way: the network's fill moved to diffusion's by their difference's blur (scipy)
    texture = network.filled.astype(np.float64)
    shift = ndimage.gaussian_filter(diffused - texture, (HEDGE_SIGMA_PX, HEDGE_SIGMA_PX, 0), mode="mirror")
    expected = np.clip(texture + shift, 0, 255)
    assert np.abs(both.filled[never] - expected[never]).max() <= 0.51  # rounding (float32 inside)
    assert not np.array_equal(network.filled[never], both.filled[never])
    compared = fill_plate(plate, never, network_steps=3, fillers=("diffusion", "network+diffusion"))
    assert set(compared.errors) == {"diffusion", "network+diffusion"}  # the hedge is judged; the network alone is not
    assert np.array_equal(both.filled[~never], plate[~never])


def test_a_forced_filler_is_used_under_a_moving_camera_only_when_it_copies_patches():
    period, count = 8, 3
    image = _stripes(96, 128, period)
    frames = np.repeat(image[None], count, axis=0)
    holes = np.zeros(frames.shape[:3], bool)
    holes[:, 32:64, 48:80] = True
    blanked = np.where(holes[..., None], 0, frames)
    moving = np.repeat(np.eye(3)[None], count - 1, axis=0)
    moving[:, 0, 2] = 20.0  # 20 px per frame: wider than one aligned plate (ALIGNED_PLATE_SHARE of the diagonal)
    assert largest_corner_move(align_to_middle(moving), 96, 128) > ALIGNED_PLATE_SHARE * np.hypot(96, 128)
    for fillers in (("diffusion",), ("network",)):  # no synthesis there: the frames come back
        assert np.array_equal(synthesize_video(blanked, holes, holes, moving, min_radius=0, fillers=fillers), blanked)
    forced = synthesize_video(blanked, holes, holes, moving, min_radius=0, fillers=("patches",))
    profile = forced[0, 32:64, 48:80, 0].astype(np.float64).mean(axis=0)
    assert int(np.argmax(np.abs(np.fft.rfft(profile - profile.mean())))) == 32 // period  # patches ran, unchecked
    copies = synthesize_video(blanked, holes, holes, moving, min_radius=0, fillers=("exemplar",))
    assert np.array_equal(copies, forced)  # exemplar forced: patches frame by frame there



@pytest.mark.parametrize("network_guess, winner", [("smooth", "exemplar"), ("truth", "network")])
def test_with_the_network_the_lowest_error_among_the_textured_candidates_wins(monkeypatch, network_guess, winner):
    from videofill.fill import synthesis

    rng = np.random.default_rng(5)  # a grainy plate: no copy is exact, the smooth guess is closer than any copy
    plate = cv2.GaussianBlur(rng.integers(0, 256, (160, 160, 3), dtype=np.uint8), (0, 0), 1.0)
    never = np.zeros((160, 160), bool)
    never[66:94, 66:94] = True  # wide enough for exemplar copies to compete (EXEMPLAR_MIN_RADIUS_PX)
    # the network replaced by a stand-in: a smooth guess (the membrane) or the truth itself
    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: (
        membrane_fill(image, hole) if network_guess == "smooth" else plate.copy()))
    result = fill_plate(plate, never, network_steps=5, min_radius=2)
    assert {"network", "network+diffusion", "exemplar", "exemplar+network"} <= set(result.textures)
    textured = [name for name, ratio in result.textures.items() if ratio >= synthesis.TEXTURE_FLOOR]
    assert "diffusion" not in textured and "exemplar" in textured  # the membrane smears the grain, copies keep it
    # computed another way: the lowest error among the textured candidates the choice may take
    expected = min((name for name in textured if name != "diffusion"), key=result.errors.get)
    assert [name for _, name in result.choices] == [expected] == [winner]
    if network_guess == "smooth":  # texture before closeness: the copies' higher error still wins
        assert result.errors["network"] < result.errors["exemplar"]
    else:
        assert np.array_equal(result.filled[never], plate[never])


def test_forced_exemplar_and_network_leaves_thin_parts_to_the_hedge(monkeypatch):
    from videofill.fill import synthesis

    rng = np.random.default_rng(6)
    plate = cv2.GaussianBlur(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8), (0, 0), 1.0)
    never = np.zeros((128, 128), bool)
    never[56:72, 56:72] = True
    never[20, 20:40] = True  # one pixel thick
    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: plate.copy())
    result = fill_plate(plate, never, network_steps=5, min_radius=2, fillers=("exemplar+network",))
    assert sorted(name for _, name in result.choices) == ["exemplar+network", "network+diffusion"]
    hedge = fill_plate(plate, never, network_steps=5, min_radius=2, fillers=("network+diffusion",))
    thin = np.zeros_like(never)
    thin[20, 20:40] = True
    assert np.array_equal(result.filled[thin], hedge.filled[thin])


def test_with_the_network_and_no_copy_to_measure_on_the_choice_is_diffusion(monkeypatch):
    from videofill.fill import synthesis

    plate = cv2.GaussianBlur(np.random.default_rng(7).integers(0, 256, (128, 128, 3), dtype=np.uint8), (0, 0), 1.0)
    never = np.zeros((128, 128), bool)
    never[60, 30:90] = True  # one thin part: no exemplar copy is tried, and the hedge is not among the fillers
    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: plate.copy())
    result = fill_plate(plate, never, network_steps=5, min_radius=2, fillers=("diffusion", "exemplar+network"))
    assert set(result.errors) == {"diffusion"} and [name for _, name in result.choices] == ["diffusion"]


def test_without_the_network_exemplar_copies_compete_on_a_wide_hole_and_win_on_stripes(monkeypatch):
    from videofill.fill import synthesis

    ys, xs = np.mgrid[0:96, 0:192]
    plate = np.repeat(np.where(((xs + ys) // 4) % 2 == 0, 200, 40).astype(np.uint8)[..., None], 3, axis=2)
    never = np.zeros((96, 192), bool)
    never[34:62, 30:58] = True  # 28 px: a part that holds a 12 px disc
    never[48, 150:170] = True  # and a thin one, far to the right: its copies keep diffusion
    judged = []
    copy_errors = synthesis._copy_errors
    monkeypatch.setattr(synthesis, "_copy_errors", lambda trials, plate, tested, *a: (
        judged.append((trials, tested)) or copy_errors(trials, plate, tested, *a)))
    result = fill_plate(plate, never, network_steps=0, patch=5, fillers=("diffusion", "exemplar"))
    assert result.errors["exemplar"] < 0.8 * result.errors["diffusion"]
    assert sorted(name for _, name in result.choices) == ["diffusion", "exemplar"]
    wide = never & (xs < 100)
    assert np.abs(result.filled[wide] - _softened_by_scipy(plate)[wide]).max() <= 0.51  # exact twins, softened
    # the choice judged what the fill installs: the wide part's copies softened, the thin part's left to diffusion
    trials, tested = judged[-1]
    assert np.abs(trials["exemplar"][tested & (xs < 100)] - _softened_by_scipy(plate)[tested & (xs < 100)]).max() <= 0.51
    thin_copies = tested & (xs >= 120)
    assert thin_copies.any() and not (tested & (xs >= 100) & (xs < 120)).any()
    assert np.array_equal(trials["exemplar"][thin_copies], trials["diffusion"][thin_copies])
    assert np.array_equal(trials["exemplar"][~tested], trials["diffusion"][~tested])  # known pixels untouched


def test_exemplar_copies_keep_their_detail_at_exemplar_contrast():
    period = 16
    xs = np.arange(128)[None, :].repeat(96, axis=0)
    plate = np.repeat(np.rint(128 + 90 * np.sin(2 * np.pi * xs / period)).astype(np.uint8)[..., None], 3, axis=2)
    # computed another way: a Gaussian of sigma s keeps exp(-2 pi^2 s^2 / p^2) of a sine of period p
    kept = np.exp(-2 * np.pi**2 * HEDGE_SIGMA_PX**2 / period**2)
    sine = np.sin(2 * np.pi * xs / period)
    fitted = np.sum((_soften(plate, xs >= 0)[..., 0] - 128.0) * sine) / np.sum(sine**2)  # least squares on the sine
    assert fitted == pytest.approx(90 * (kept + EXEMPLAR_CONTRAST * (1 - kept)), rel=0.01)
    never = np.zeros((96, 128), bool)
    never[34:62, 50:78] = True
    result = fill_plate(plate, never, network_steps=0, fillers=("exemplar",))
    smooth = smooth_fills(plate, never, (result.smooth,))[result.smooth]
    copied = exemplar_fill(smooth, never, source=~never, guide=smooth)
    assert np.abs(result.filled[never] - _softened_by_scipy(copied)[never]).max() <= 0.51  # the copies, softened
    assert np.array_equal(result.filled[~never], plate[~never])


def test_texture_ratio_is_the_evaluations_hole_sharpness_ratio_on_one_image():
    from videofill.eval.metrics import hole_sharpness_ratio

    rng = np.random.default_rng(8)
    image, reference = rng.integers(0, 256, (2, 40, 50, 3), dtype=np.uint8)
    region = rng.random((40, 50)) < 0.3
    assert texture_ratio(image, reference, region) == pytest.approx(hole_sharpness_ratio(image, reference, region))
    flat = np.full_like(reference, 77)
    assert np.isnan(texture_ratio(image, flat, region))


def test_diffusion_is_the_smooth_fill_that_measures_best_on_the_copies():
    # a parabola across the frame: biharmonic, not harmonic; the thin plate continues it, the membrane sags
    xs = np.arange(96, dtype=float)
    plate = np.repeat(np.repeat((20 + (xs - 48) ** 2 / 12)[None, :, None], 64, axis=0), 3, axis=2).round()
    plate = plate.astype(np.uint8)
    never = np.zeros((64, 96), bool)
    never[24:40, 30:50] = True
    result = fill_plate(plate, never, network_steps=0, fillers=("diffusion",))
    assert result.smooth == "thin plate"
    assert np.abs(result.filled[never].astype(int) - plate[never]).max() <= 1
    fills = smooth_fills(plate, never)
    assert list(fills) == list(SMOOTHS)
    mean = (fills["membrane"].astype(float) + fills["thin plate"]) / 2
    assert np.abs(fills["membrane+thin plate"] - mean).max() <= 0.5
    only = fill_plate(plate, never, network_steps=0, fillers=("diffusion",), smooths=("membrane",))
    assert only.smooth == "membrane" and np.array_equal(only.filled, membrane_fill(plate, never))
    with pytest.raises(ValueError, match="unknown smooth"):
        smooth_fills(plate, never, ("spline",))
    with pytest.raises(ValueError, match="unknown smooth"):
        fill_plate(plate, never, smooths=())


def test_synthesize_video_passes_the_smooth_fills_on_to_the_plate():
    xs = np.arange(96, dtype=float)
    plate = np.repeat(np.repeat((20 + (xs - 48) ** 2 / 12)[None, :, None], 64, axis=0), 3, axis=2).round()
    frames = np.repeat(plate.astype(np.uint8)[None], 3, axis=0)
    holes = np.zeros((3, 64, 96), bool)
    holes[:, 24:40, 30:50] = True
    errors = {}
    for smooths in (SMOOTHS, ("membrane",)):
        video = synthesize_video(frames, holes, holes, None, fillers=("diffusion",), smooths=smooths)
        errors[smooths] = np.abs(video[holes].astype(int) - frames[holes]).max()
    assert errors[SMOOTHS] <= 1 < errors[("membrane",)]  # the thin plate continues the parabola, the membrane sags


def test_fill_unseen_synthesises_what_propagation_did_not_see_and_hands_on_what_it_replaced():
    plate = np.full((48, 64, 3), 90, np.uint8)
    plate[:, 32:] = 150  # two flat halves, the hole across their edge
    frames = np.repeat(plate[None], 4, axis=0)
    holes = np.zeros((4, 48, 64), bool)
    holes[:, 16:32, 24:40] = True  # the same box in every frame: no frame shows it
    carried = frames.copy()
    carried[holes] = 255  # propagation's copies of something that moved by, outside the hole
    static = np.repeat(np.eye(3)[None], 3, axis=0)
    expected = np.repeat(membrane_fill(plate, holes[0])[None], 4, axis=0)  # every frame is the plate: its membrane

    def fill(seen, replaced=None):
        propagation = Propagation(carried, seen, seen.copy(), static, replaced=replaced)
        return fill_unseen(propagation, holes, None, seed=0, network_steps=0, filler="diffusion")

    replaced = holes.copy()
    replaced[:, :, :32] = False  # hold_still_holes replaced the right half; propagation saw nothing of the left
    result = fill(np.zeros_like(holes), replaced)
    assert np.abs(result.frames[holes].astype(int) - expected[holes]).max() <= 1  # the plate's membrane, all of it
    assert np.array_equal(result.frames[~holes], carried[~holes])
    assert np.array_equal(result.replaced, replaced) and not result.seen.any()  # handed on as they were
    assert np.array_equal(fill(holes.copy()).frames, carried)  # all seen: propagation's copies are kept


def _shift(dx, dy):
    matrix = np.eye(3)
    matrix[:2, 2] = dx, dy
    return matrix


def test_align_to_middle_adds_up_the_shifts_to_the_middle_frame():
    rng = np.random.default_rng(0)
    steps = rng.normal(0, 2, (6, 2))  # frame t -> t + 1 moves pixels by steps[t]
    alignments = align_to_middle(np.stack([_shift(*step) for step in steps]))
    middle = 3  # of 7 frames
    position = np.concatenate([[[0, 0]], np.cumsum(steps, axis=0)])  # where frame 0's pixel (0, 0) is in frame t
    for t in range(7):
        np.testing.assert_allclose(alignments[t][:2, 2], position[middle] - position[t], atol=1e-9)
        np.testing.assert_allclose(alignments[t][:2, :2], np.eye(2), atol=1e-9)
    warps = rng.normal(0, 0.05, (4, 3, 3)) * np.array([[1, 1, 20], [1, 1, 20], [0.001, 0.001, 0]]) + np.eye(3)
    alignments = align_to_middle(warps)  # scale, shear and perspective: the order of the products matters
    point = np.array([7.0, 5.0, 1.0])
    for t in range(5):  # map the point step by step, frame t -> ... -> frame 2
        step = point.copy()
        for k in range(t, 2):
            step = warps[k] @ step
            step /= step[2]
        for k in range(t - 1, 1, -1):
            step = np.linalg.solve(warps[k], step)
            step /= step[2]
        mapped = alignments[t] @ point
        np.testing.assert_allclose(mapped[:2] / mapped[2], step[:2], atol=1e-9)
    assert largest_corner_move(np.stack([_shift(3, 4)]), 10, 20) == pytest.approx(5.0)
    zoom = np.diag([1.5, 1.5, 1.0])  # the far corner (19, 9) moves by half its distance from the origin
    assert largest_corner_move(zoom[None], 10, 20) == pytest.approx(0.5 * np.hypot(19, 9))


def test_a_slowly_panning_camera_fills_a_hole_that_stays_put_in_the_scene_from_one_aligned_plate():
    rng = np.random.default_rng(1)
    world = cv2.GaussianBlur(rng.integers(0, 256, (60, 100, 3)).astype(np.uint8), (0, 0), 2)
    count, width = 5, 90
    frames = np.stack([world[:, t : t + width] for t in range(count)])  # the camera pans right 1 px per frame
    holes = np.zeros(frames.shape[:3], bool)
    for t in range(count):
        holes[t, 20:44, 40 - t : 64 - t] = True  # a box that stays put in the scene: no frame shows behind it
    blanked = np.where(holes[..., None], 0, frames)
    pan = np.stack([_shift(-1, 0)] * (count - 1))
    assert not camera_is_static(pan, 60, width)
    video = synthesize_video(blanked, holes, holes, pan, fillers=("diffusion",))
    assert np.array_equal(video[~holes], blanked[~holes]) and (video[holes] > 0).mean() > 0.99
    middle = video[2, 20:44, 38:62].astype(int)
    for t in range(count):  # the same fill in every frame, where the scene puts it
        assert np.abs(video[t, 20:44, 40 - t : 64 - t].astype(int) - middle).max() <= 2
    error = np.abs(video[holes].astype(int) - frames[holes]).mean()
    telea = np.stack([cv2.inpaint(f, h.astype(np.uint8), 3, cv2.INPAINT_TELEA) for f, h in zip(blanked, holes)])
    assert error < np.abs(telea[holes].astype(int) - frames[holes]).mean() * 1.5  # a smooth fill, not garbage


def test_on_a_wide_region_the_hedge_takes_the_mean_of_diffusion_and_the_coarse_network(monkeypatch):
    from videofill.fill import synthesis

    plate = np.full((128, 128, 3), 100, np.uint8)  # flat: diffusion gives 100 and the network's detail is 0
    never = np.zeros((128, 128), bool)
    never[44:84, 44:84] = True  # 40 px: holds a disc of EXEMPLAR_MIN_RADIUS_PX
    calls = []

    def coarse_stand_in(image, hole, steps, factor, **options):
        calls.append((steps, factor))
        return np.where(hole[..., None], 160, image).astype(np.uint8)

    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: plate.copy())
    monkeypatch.setattr(synthesis, "coarse_dip_fill", coarse_stand_in)
    result = fill_plate(plate, never, network_steps=5, fillers=("network+diffusion",))
    assert calls == [(synthesis.COARSE_SCALE * 5, synthesis.COARSE_SCALE)]
    # computed by hand: (100 + 160) / 2 in the hole, blurred by HEDGE_SIGMA_PX; 20 px (5 sigma) inside the edge
    assert np.abs(result.filled[60:68, 60:68].astype(int) - 130).max() <= 1
    calls.clear()
    thin = np.zeros((128, 128), bool)
    thin[60, 30:90] = True  # a stroke: the coarse network is not trained
    fill_plate(plate, thin, network_steps=5, fillers=("network+diffusion",))
    assert calls == []


def test_on_a_wide_region_exemplar_copies_lay_their_detail_on_the_hedges_coarse_part(monkeypatch):
    from videofill.fill import synthesis

    plate = np.full((192, 192, 3), 100, np.uint8)  # flat: the copies are 100 with no detail
    never = np.zeros((192, 192), bool)
    never[76:116, 76:116] = True  # 40 px, with room beside it for copies
    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: plate.copy())
    monkeypatch.setattr(synthesis, "coarse_dip_fill", lambda image, hole, *a, **k: np.where(
        hole[..., None], 160, image).astype(np.uint8))
    judged = []
    copy_errors = synthesis._copy_errors
    monkeypatch.setattr(synthesis, "_copy_errors", lambda trials, plate, tested, *a: (
        judged.append((trials, tested)) or copy_errors(trials, plate, tested, *a)))
    fill_plate(plate, never, network_steps=5)
    trials, tested = judged[-1]
    inside = ndimage.distance_transform_edt(tested) > 4 * HEDGE_SIGMA_PX  # where the blur sees the copy alone
    assert inside.any()
    for name in ("exemplar", "exemplar+network"):  # by hand: the mean of diffusion's 100 and the coarse network's 160
        assert np.abs(trials[name][inside].astype(int) - 130).max() <= 1
    result = fill_plate(plate, never, network_steps=5, fillers=("exemplar+network",))  # forced: fills as it competes
    assert [name for _, name in result.choices] == ["exemplar+network"]
    assert np.abs(result.filled[92:100, 92:100].astype(int) - 130).max() <= 1  # and in the fill


def test_the_coarse_networks_guesses_on_the_copies_do_not_reach_the_fill(monkeypatch):
    from videofill.fill import synthesis

    plate = np.full((128, 128, 3), 100, np.uint8)
    never = np.zeros((128, 128), bool)
    never[44:84, 44:84] = True
    # a stand-in that guesses the plate's own value in the region and 160 on the copies beside it
    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: plate.copy())
    monkeypatch.setattr(synthesis, "coarse_dip_fill", lambda image, hole, *a, **k: np.where(
        (hole & ~never)[..., None], 160, np.where(hole[..., None], 100, image)).astype(np.uint8))
    result = fill_plate(plate, never, network_steps=5, fillers=("network+diffusion",))
    assert (result.filled[never] == 100).all()


def test_exemplar_and_networks_thin_parts_take_its_guide_without_the_coarse_network(monkeypatch):
    from videofill.fill import synthesis

    plate = np.full((128, 128, 3), 100, np.uint8)
    never = np.zeros((128, 128), bool)
    never[44:84, 44:84] = True  # wide: the coarse network is trained
    never[20, 20:40] = True  # thin: left to what exemplar+network's copies were judged on
    calls = []
    monkeypatch.setattr(synthesis, "dip_fill", lambda image, hole, *a, **k: plate.copy())
    monkeypatch.setattr(synthesis, "coarse_dip_fill", lambda image, hole, *a, **k: (
        calls.append(1), np.where(hole[..., None], 160, image).astype(np.uint8))[1])
    result = fill_plate(plate, never, network_steps=5, min_radius=2,
                        fillers=("exemplar+network", "network+diffusion"))  # forced: the first
    assert calls and sorted(name for _, name in result.choices) == ["exemplar+network", "network+diffusion"]
    assert (result.filled[20, 20:40] == 100).all()  # the guide: diffusion (100) and the network's detail (none)
