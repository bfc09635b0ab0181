"""TrackConfig: every default of the mask tracker, and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrackConfig:
    """Settings of :func:`videofill.track.track`. Sizes are pixels of the working resolution unless stated."""

    method: str = "net"  # "net" (network + flow, the default), "flow" (flow only), "colour" (colour model + flow), "appearance" (network without flow)
    long_side: int = 512  # working resolution: the longer frame side in pixels (frames are shrunk, never enlarged); 384 -> 512 (with refine=4): one mark +1.6 / +0.6 / +1.6 mean J on seeds 0 / 1 / 2 (70.3 / 68.4 / 69.5; drift-straight +5.1..+5.8, soapbox +3.6..+4.7 at every seed), three marks 80.3 -> 81.7, box 61.0 -> 62.8 (seed 0); 80-frame clip +8..+11 CPU s in the harness, 107.5 / 118.1 / 91.5 CPU s (one / three / box) in round 6's loaded benchmark (rounds 5, 6)
    dis_preset: int = 2  # cv2.DISOpticalFlow preset: 0 ultrafast, 1 fast, 2 medium
    dis_finest_scale: int = 0  # DIS finest pyramid level (0 = flow at the working resolution, 1 = at half of it)
    prior_blur: float = 1.5  # Gaussian sigma (px) applied to the carried mask before it is used as the prior
    net_width: int = 16  # channels of the network at 1/2 resolution (twice that at 1/4)
    train_steps: int = 400  # Adam steps on the marked frame(s) before tracking; 200 -> 400: one mark +1.0 / +1.6 mean J (seeds 0 / 1: bmx-trees +8.5 / +10.5, soapbox -3.2 / -1.4), ~+30 CPU s a clip (round 4)
    batch: int = 6  # crops per training step
    crop: int = 128  # side of the square training crops (px)
    lr: float = 2e-3  # Adam learning rate
    aug_scale: float = 0.25  # training: random zoom range of the crop (+-fraction)
    aug_rotate: float = 12.0  # training: random rotation range (+-degrees)
    prior_shift: float = 0.06  # training: random shift of the simulated prior (+- fraction of the object's size)
    prior_warp: float = 0.04  # training: random elastic deformation of the simulated prior (fraction of the object's size)
    prior_morph: int = 6  # training: random dilation/erosion of the simulated prior up to this radius (px)
    prior_blobs: float = 0.3  # training: probability of a false blob in the simulated prior, and of a hole
    prior_part: float = 0.0  # training: probability that the simulated prior keeps only 30-70 % of the object (cut by a line)
    prior_drop: float = 0.2  # training: probability of a crop whose prior is blanked (all zero or all half)
    online_steps: int = 0  # Adam steps of the online update (0 = off): crops of the marked frames and the tracked frame
    online_every: int = 5  # run the online update on every n-th tracked frame of a pass
    online_band: float = 0.08  # online update: the band of this fraction of the object's size around its edge is unknown
    keep_near: int = 8  # drop parts of a new mask farther than this (px) from the carried prior (0 = keep all)
    zoom: bool = True  # zoom each frame so the carried object has the size of the marked object nearest in size
    zoom_free: float = 0.2  # no zoom while the object's linear size is within this fraction of a marked one's
    zoom_min: float = 0.3  # smallest zoom (a frame shrunk to 30 %: objects up to ~11x the marked area)
    zoom_max: float = 2.0  # largest zoom (objects down to 1/4 of the marked area)
    fuse_colour: float = 0.7  # weight of the colour model's posterior (given the prior) mixed into the network's probability
    motion: float = 0.5  # weight of the motion cue: the probability is scaled by (1 - motion) where a pixel moves with the camera (0 = off)
    motion_gate: float = 3.0  # motion cue only while the carried object's median residual to the camera's motion is at least this (it moves)
    motion_memory: int = 10  # motion cue: stays on this many frames after the carried object last moved (a mask that slid onto still background)
    motion_lo: float = 1.0  # motion cue: residual (units of the background's median) at or below which a pixel counts as still
    motion_hi: float = 3.0  # motion cue: residual at or above which a pixel counts as moving
    redetect: float = 0.5  # search the whole frame when the mask falls below this fraction of its largest area of the last redetect_window frames (0 = off)
    redetect_window: int = 5  # re-detection: frames of the pass whose largest area is the reference
    redetect_min: float = 0.2  # re-detection: smallest part taken, as a fraction of the reference area
    redetect_conf: float = 0.7  # re-detection: smallest mean probability of the part taken
    guard: float = 0.5  # when the network's mask is below this fraction of the carried prior's area, use colour + prior (0 = off)
    tta_flip: bool = False  # average the network's probability over the frame and its mirror image (one more forward pass a frame); on: one mark +0.1 / +0.1 / +0.1 on seeds 0 / 1 / 2 at 512 px (round 6; +0.8 / -0.1 / +0.2 at 384, round 4) for +15 CPU s on an 80-frame clip: off
    refine: int = 4  # radius (px of the full frame) of the guided filter that aligns the enlarged probability with the frame's edges (0 = bilinear enlargement alone); 0 -> 4: one mark +0.1..+0.4 mean J on 3 seeds x 2 sides (mostly blackswan, +0.8..+1.0), ~+1 CPU s; 8 loses (round 5)
    refine_eps: float = 1e-3  # guided filter: regularisation (grey levels in [0, 1], squared); larger = smoother, closer to the bilinear probability
    threshold: float = 0.5  # object where the fused probability exceeds this
    fuse_flow: float = 0.0  # weight of the carried prior mixed into the network's probability (0 = network alone)
    gap_power: float = 1.0  # between two marks the passes are weighted x^p / (x^p + (1 - x)^p), x = closeness to each mark (1 = linear)
    grabcut_iters: int = 5  # cv2.grabCut iterations for a box or points mark
    box_motion: float = 2.0  # box mark: box pixels moving this many times the background's typical flow residual start GrabCut as object, the rest as background (0 = off)
    box_motion_gap: int = 3  # box mark: the motion is measured against the frames this many frames before and after
    points_margin: float = 0.15  # points mark: the GrabCut region is their bounding box grown by this fraction of the image side
    seed: int = 0  # seed of the network's initialisation and augmentation
    threads: int = 1  # torch threads while tracking (0 = leave torch's setting); 1 was as fast as 2 here and far steadier under load
