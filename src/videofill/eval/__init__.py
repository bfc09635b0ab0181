"""Evaluation: the paper's metrics (PSNR, SSIM, temporal consistency, complexity, FID) and composed test cases."""
