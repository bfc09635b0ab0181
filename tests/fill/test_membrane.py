import numpy as np
import pytest

from videofill.fill.membrane import EMPTY_GREY, membrane_fill, membrane_solve, thin_plate_fill


def test_a_hole_between_two_known_columns_is_their_linear_ramp():
    image = np.zeros((5, 7, 3), np.uint8)
    image[:, 6] = 120
    hole = np.zeros((5, 7), bool)
    hole[:, 1:6] = True  # rows are alike and the top and bottom let nothing through: each row solves u'' = 0
    out = membrane_fill(image, hole)
    assert (out[:, :, 0] == [0, 20, 40, 60, 80, 100, 120]).all()


def test_the_solution_is_the_fixed_point_of_neighbour_averaging():
    rng = np.random.default_rng(0)
    values = rng.normal(0, 50, (24, 30, 2))
    hole = rng.random((24, 30)) < 0.5
    solved = membrane_solve(values, hole)
    # computed another way: Jacobi iterations of "each hole pixel is the mean of its in-image 4-neighbours"
    u = values.copy()
    u[hole] = 0
    count = np.zeros((24, 30))
    for axis, shift in ((0, 1), (0, -1), (1, 1), (1, -1)):
        inside = np.ones((24, 30), bool)
        index = [slice(None), slice(None)]
        index[axis] = 0 if shift == 1 else -1
        inside[tuple(index)] = False
        count += inside
    for _ in range(4000):
        total = np.zeros_like(u)
        for axis, shift in ((0, 1), (0, -1), (1, 1), (1, -1)):
            moved = np.roll(u, shift, axis=axis)
            index = [slice(None), slice(None)]
            index[axis] = 0 if shift == 1 else -1
            moved[tuple(index)] = 0
            total += moved
        u[hole] = (total / count[..., None])[hole]
    assert np.abs(solved - u).max() < 1e-6
    assert (solved[~hole] == values[~hole]).all()


def test_successive_holes_are_each_solved_for_themselves():
    image = np.full((6, 6, 3), 10, np.uint8)
    image[:, 3:] = 200
    first = np.zeros((6, 6), bool)
    first[2, 2] = True  # neighbours 10, 10, 10, 200
    second = np.zeros((6, 6), bool)
    second[2, 4] = True  # all neighbours 200
    assert membrane_fill(image, first)[2, 2, 0] == round((3 * 10 + 200) / 4)
    assert membrane_fill(image, second)[2, 4, 0] == 200
    assert membrane_fill(image, first)[2, 2, 0] == round((3 * 10 + 200) / 4)


def test_a_whole_image_hole():
    image = np.zeros((4, 4, 3), np.uint8)
    assert (membrane_fill(image, np.ones((4, 4), bool)) == 128).all()
    with pytest.raises(ValueError, match="whole image"):
        membrane_solve(image.astype(float), np.ones((4, 4), bool))
    assert (membrane_fill(image, np.zeros((4, 4), bool)) == image).all()


def test_the_thin_plate_continues_a_parabola_that_the_membrane_flattens():
    # x**2 is biharmonic (its Laplacian is a constant) but not harmonic, on the grid as in the plane
    xs = np.arange(60, dtype=float)
    values = 20 + (xs - 10) ** 2 / 16
    image = np.repeat(np.repeat(values[None, :, None], 40, axis=0), 3, axis=2).round().astype(np.uint8)
    hole = np.zeros((40, 60), bool)
    hole[12:28, 20:40] = True
    thin = thin_plate_fill(image, hole)
    assert np.abs(thin[hole].astype(int) - image[hole]).max() <= 1
    assert np.array_equal(thin[~hole], image[~hole])
    assert np.abs(membrane_fill(image, hole)[hole].astype(int) - image[hole]).max() >= 3  # the membrane sags


def test_the_thin_plate_of_an_empty_and_of_a_whole_image_hole():
    image = np.full((8, 8, 3), 200, np.uint8)
    assert np.array_equal(thin_plate_fill(image, np.zeros((8, 8), bool)), image)
    assert (thin_plate_fill(image, np.ones((8, 8), bool)) == EMPTY_GREY).all()
