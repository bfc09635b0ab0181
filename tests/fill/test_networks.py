import pytest
import torch

from videofill.fill.networks import EncoderDecoder, count_parameters


def test_paper_network_has_the_papers_parameter_count():
    assert count_parameters(EncoderDecoder()) == 3_072_139


def test_2d_output_shapes_and_ranges():
    torch.manual_seed(0)
    model = EncoderDecoder(channels=(8, 16, 32))
    frames, flows = model(torch.rand(5, 1, 48, 96) * 0.1)
    assert frames.shape == (5, 3, 48, 96) and flows.shape == (5, 12, 48, 96)
    assert frames.min() >= 0 and frames.max() <= 1
    assert flows.min() < 0 < flows.max()  # linear head, not squashed


def test_3d_network_keeps_the_time_axis():
    model = EncoderDecoder(channels=(8, 16, 32), flow_channels=0, conv3d=True)
    for n in (3, 5):
        frames, flows = model(torch.rand(1, 1, n, 48, 96) * 0.1)
        assert frames.shape == (1, 3, n, 48, 96) and flows is None
    assert all(conv.stride[0] == 1 for conv in model.modules() if isinstance(conv, torch.nn.Conv3d))


def test_size_not_a_multiple_is_refused():
    with pytest.raises(ValueError, match="multiple of 8"):
        EncoderDecoder(channels=(8, 16, 32))(torch.rand(1, 1, 50, 96))
    assert EncoderDecoder().size_multiple == 64 and EncoderDecoder().min_size == 192


def test_encoder_features_are_the_levels_of_the_forward_pass():
    torch.manual_seed(0)
    model = EncoderDecoder(channels=(8, 16, 32)).eval()
    noise = torch.rand(2, 1, 48, 96) * 0.1
    with torch.no_grad():
        features = model.encoder_features(noise)
        x, expected = noise, []
        for down in model.down:  # the same maps, computed by running the encoder blocks one by one
            x = down(x)
            expected.append(x)
    assert [tuple(f.shape) for f in features] == [(2, 8, 24, 48), (2, 16, 12, 24), (2, 32, 6, 12)]
    for got, want in zip(features, expected):
        assert torch.equal(got, want)


def test_encoder_features_of_the_3d_network_keep_the_time_axis():
    model = EncoderDecoder(channels=(8, 16), flow_channels=0, conv3d=True)
    features = model.encoder_features(torch.rand(1, 1, 3, 32, 64) * 0.1)
    assert [tuple(f.shape) for f in features] == [(1, 8, 3, 16, 32), (1, 16, 3, 8, 16)]
