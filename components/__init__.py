"""classiczoo components: reusable Keras and TensorFlow parts for training classic CNNs.

Components never import `zoo` or `recipes` (see STYLE.md: arrows point downward only).
"""

__version__ = "0.2.0"
