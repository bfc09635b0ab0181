"""The fill methods: optical flow and flow-guided propagation, the paper's generator, losses, batch schedule and
training loop, the four methods (DIP, DIP-Vid, DIP-Vid-3DCN, DIP-Vid-Flow), generation and compositing.

Tensors inside: frames float (T, 3, H, W) in [0, 1] RGB; holes bool/float (T, 1, H, W), 1 = hole; flows
(T, 2, H, W) in pixels, x then y.
"""
