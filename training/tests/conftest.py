import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch

# Tests run beside background training on 2 cores: one thread avoids OpenMP spin contention.
torch.set_num_threads(1)
