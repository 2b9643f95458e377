"""DaAIR for daair-stream: the network, degradation synthesis, training, export, evaluation."""
from .model import (DaAIR, DaAIRConfig, REGISTRY, DEGRADATIONS_3, DEGRADATIONS_5, build_model,
                    get_config, aux_routing_loss, count_parameters, DegradationClassifier, FixedRoute)
