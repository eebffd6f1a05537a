"""The BatchNorm momentum the zoo's blocks use."""

# Keras's default moving-average momentum, 0.99, makes the inference statistics trail training
# by hundreds of steps, so a short run evaluates far worse than it trains (a deep BN net after
# one small epoch can score at chance). 0.9 (PyTorch's 0.1) follows within tens of steps.
BN_MOMENTUM = 0.9
