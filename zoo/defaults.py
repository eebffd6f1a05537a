"""A model's defaults and recipes: its input, its paper, and how to train it for each goal.

They live beside the model (timm's way: `@register_model(defaults=...)` in the family's file)
and feed `zoo.create`, the model card (`classiczoo models describe`) and the training run's
settings left open (`--recipe NAME`).
"""

from __future__ import annotations

import dataclasses

from components.tuning.search_space import FloatRange, SearchSpace

# What `classiczoo tune` may choose for a zoo model: every option its family's builder takes
# but the architecture's own (each family's file passes it, LeNet with a lower dropout range).
BUILDER_SEARCH_SPACE = SearchSpace(
    kernel_initializer=("xavier_uniform", "he_normal"),
    activation=("relu", "leaky_relu", "elu"),
    dropout=FloatRange(0.0, 0.6, step=0.1),
    batch_norm=(False, True),
)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A model's training settings for one goal, chosen with `--recipe NAME` (timm's idea of
    a recipe beside the model: its hyperparameters live with it, not in a script).

    Every field is a setting of `classiczoo train` by its name; a flag given on the command
    line wins over the recipe's value. The `default` recipe of a model is its `ModelDefaults`'
    own training fields; the others are `ModelDefaults.recipes`.

    Args:
        goal: what the recipe is for, in words (shown by `classiczoo models describe`).
        optimizer, learning_rate, lr_schedule, epochs: as the `classiczoo train` settings.
        batch_size, augment, label_smoothing, weight_decay: as the train settings too.
        model_options: options of the model's builder the recipe sets (e.g. BatchNorm).
        chosen_on: how its values were chosen (the validation split only: never the test).
    """

    goal: str
    optimizer: str
    learning_rate: float
    lr_schedule: str
    epochs: int
    batch_size: int
    augment: str = "none"
    label_smoothing: float = 0.0
    weight_decay: float = 0.0
    model_options: dict = dataclasses.field(default_factory=dict)
    chosen_on: str = ""

    def describe(self) -> str:
        """The recipe's settings in one line."""
        return (
            f"{self.optimizer} lr {self.learning_rate:g} ({self.lr_schedule}), batch "
            f"{self.batch_size}, {self.epochs} epochs, augment {self.augment}"
            + (f", label smoothing {self.label_smoothing:g}" if self.label_smoothing else "")
            + (f", weight decay {self.weight_decay:g}" if self.weight_decay else "")
            + "".join(f", {k}={v}" for k, v in self.model_options.items())
        )


@dataclasses.dataclass(frozen=True)
class ModelDefaults:
    """A model's defaults, in one place: they feed `zoo.create`, the model card and the commands.

    Args:
        input_shape: default `(height, width, channels)`.
        num_classes: default number of classes.
        optimizer: recipe default, one of `components.optimizers.OPTIMIZERS`.
        learning_rate: recipe default (initial) learning rate.
        lr_schedule: recipe default, one of `components.schedules.LR_SCHEDULES`.
        epochs: recipe default number of epochs.
        batch_size: recipe default global batch size.
        augment: the training augmentation policy that reaches the model's best
            (`components.data.augmentation`; `"none"`: none).
        label_smoothing: recipe default label smoothing of the training targets.
        weight_decay: recipe default decoupled weight decay.
        paper: the paper the model follows.
        paper_input_shape: input of the paper's configuration, or None where the model has
            one scale only.
        paper_num_classes: classes of the paper's configuration.
        search_space: what `classiczoo tune` may choose (`components.tuning.SearchSpace`): the
            training dimensions, and the model options (initializer, activation, dropout,
            BatchNorm) that the model's builder takes.
        recipes: the model's other named `Recipe`s (`fast`, ...), beside `default`.
    """

    input_shape: tuple[int, int, int] = (28, 28, 1)
    num_classes: int = 10
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    lr_schedule: str = "constant"
    epochs: int = 10
    batch_size: int = 256
    augment: str = "none"
    label_smoothing: float = 0.0
    weight_decay: float = 0.0
    paper: str = ""
    paper_input_shape: tuple[int, int, int] | None = None
    paper_num_classes: int = 1000
    search_space: SearchSpace = SearchSpace()
    recipes: dict = dataclasses.field(default_factory=dict)

    def recipe(self, name: str = "default") -> Recipe:
        """The named `Recipe`; `default` is these defaults' own training fields.

        Raises:
            ValueError: an unknown name, with the model's recipes.
        """
        if name == "default":
            return Recipe(
                goal="the model's reference run",
                optimizer=self.optimizer,
                learning_rate=self.learning_rate,
                lr_schedule=self.lr_schedule,
                epochs=self.epochs,
                batch_size=self.batch_size,
                augment=self.augment,
                label_smoothing=self.label_smoothing,
                weight_decay=self.weight_decay,
            )
        if name not in self.recipes:
            raise ValueError(
                f"unknown recipe {name!r}; this model's recipes: {', '.join(self.recipe_names())}."
            )
        return self.recipes[name]

    def recipe_names(self) -> list[str]:
        """`default`, then the model's other recipes."""
        return ["default", *self.recipes]


# The budget of a fast recipe: a sixth of the training compute of vgg16_bn's default run on
# Fashion-MNIST (30 epochs x 54,000 images x 3 x 134.3 MFLOP = 653 TFLOP), in TFLOP.
FAST_BUDGET_TFLOP = 109


def fast_recipe(epochs: int, *, goal: str = "", chosen_on: str = "", **model_options) -> Recipe:
    """The course notes' techniques as airbench (Keller Jordan, "94% on CIFAR-10 in 3.29
    seconds on a single GPU", arXiv 2404.00498) and D. Page's "How to train your ResNet"
    (myrtle.ai) combine them: Nesterov SGD with decoupled weight decay, a linear warm-up then
    a linear decay, label smoothing, each image mirrored in every other epoch (`altflip`) and
    shifted by up to 2 pixels (`translate`), in batches of 128 (on vgg11_bn's validation split
    batch 128 beat 256 for the same compute: twice the steps, docs/RESULTS.md).

    Args:
        epochs: as many as the model's forward FLOPs fit in the budget (`FAST_BUDGET_TFLOP`).
        goal: the recipe's goal in words (default: 0.94 test within the budget).
        chosen_on: how its values were chosen, where not as vgg11_bn's were.
        **model_options: options of the model's builder the recipe sets (e.g. BatchNorm).
    """
    return Recipe(
        goal=goal or f"test accuracy >= 0.94 with at most {FAST_BUDGET_TFLOP} TFLOP of training",
        optimizer="nesterov",
        learning_rate=0.1,
        lr_schedule="warmup_linear",
        epochs=epochs,
        batch_size=128,
        augment="altflip,translate",
        label_smoothing=0.1,
        # Keras's decay is decoupled (times the rate, not the momentum's 1 / (1 - 0.9)): 5e-3
        # here decays as PyTorch's coupled 5e-4 does with momentum 0.9.
        weight_decay=5e-3,
        model_options=dict(model_options),
        chosen_on=chosen_on
        or "airbench's and Page's values; on vgg11_bn's 10 % validation split: batch 128 "
        "against 256 and 64, lr 0.1 against 0.2, weight decay 5e-3 with dropout 0.5 against "
        "5e-4 without, and for vgg11_bn a quarter width for 36 epochs against 1/2, 3/8 and "
        "3/16 for the same compute (docs/RESULTS.md)",
    )


def quarter_width_fast_recipe(epochs: int, family: str) -> Recipe:
    """`fast_recipe` for a family that takes over vgg11_bn's values and its validated finding
    (a quarter of the paper's widths for more epochs beat half width for the same compute on
    its validation split, docs/RESULTS.md) without a search of its own, with BatchNorm for the
    high rate of Nesterov SGD.

    Args:
        epochs: as many as the model's forward FLOPs at a quarter width fit in the budget.
        family: the family's name, for the record of how the values were chosen.
    """
    return fast_recipe(
        epochs,
        chosen_on=f"vgg11_bn's values and quarter-width finding (docs/RESULTS.md); not tuned "
        f"on {family}",
        batch_norm=True,
        width=0.25,
    )


__all__ = [
    "BUILDER_SEARCH_SPACE",
    "FAST_BUDGET_TFLOP",
    "ModelDefaults",
    "Recipe",
    "fast_recipe",
    "quarter_width_fast_recipe",
]
