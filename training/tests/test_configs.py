"""Every experiment YAML names a registered configuration and has a usable schedule."""
import glob
import os

import pytest

import train
from daair.model import REGISTRY, get_config
from daair.degradations import DEGRADE

CONFIGS = sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs", "*.yaml")))


@pytest.mark.parametrize("path", CONFIGS, ids=os.path.basename)
def test_experiment_is_usable(path):
    exp = train.load_experiment(path)
    assert exp["model"] in REGISTRY
    cfg = get_config(exp["model"], degradations=tuple(exp["degradations"]))
    assert all(d in DEGRADE for d in cfg.degradations)
    lrs = [train.lr_at(s, exp) for s in range(0, exp["steps"], max(1, exp["steps"] // 50))]
    peak = exp["optimizer"]["lr"]
    assert max(lrs) <= peak * (1 + 1e-9) and lrs[-1] < peak
    after = [train.lr_at(s, exp) for s in range(exp["optimizer"].get("warmup_steps", 0), exp["steps"], 97)]
    assert all(a >= b for a, b in zip(after, after[1:]))  # cosine decays monotonically
    assert train.crop_at(0, exp) == exp["crop_schedule"][0][1]
    assert train.crop_at(exp["steps"], exp) == exp["crop_schedule"][-1][1]
    assert train.crop_at(0, exp) % 8 == 0
