import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's bundled digits (1797 8x8 images, 10 classes), pixels scaled to [0, 1],
    split 75/25 with a fixed seed: X_train, X_test, y_train, y_test."""
    X, y = load_digits(return_X_y=True)
    return train_test_split((X / 16).astype(np.float32), y, random_state=0, stratify=y)
