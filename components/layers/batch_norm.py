"""The BatchNorm momentum of every BatchNorm layer in the zoo, its blocks and the lessons' nets.

Keras's default moving-average momentum, 0.99, makes the inference statistics trail training
by hundreds of steps, so a short run evaluates far worse than it trains (a deep BN net after
one small epoch can score at chance: vgg19_bn scored 0.104 after 157 steps with 0.99 and 0.563
with 0.9, docs/BENCHMARKS.md). 0.9, PyTorch's default (written `momentum=0.1` in its
convention), follows within tens of steps.
"""

BN_MOMENTUM = 0.9
