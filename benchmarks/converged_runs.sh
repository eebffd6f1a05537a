#!/usr/bin/env bash
# The converged CPU runs behind docs/RESULTS.md (issue 13): each model with augmentation and
# the epochs of its schedule, 10 % of train held out for validation, checkpoints every 500
# steps (an interruption loses little: run the same line with --resume). Then every export is
# evaluated with and without test-time augmentation. --restore-best keeps the epoch of the best
# validation accuracy (chosen on validation, never on test).
#
#   bash benchmarks/converged_runs.sh            # all, in this order (hours on 2 CPU cores)
#   MODELS="lenet5_bn vgg11_bn" bash benchmarks/converged_runs.sh
#   MODELS="vgg16_bn vgg13_bn" EPOCHS=15 bash benchmarks/converged_runs.sh   # a shorter budget
set -euo pipefail
cd "$(dirname "$0")/.."
CZ=${CZ:-classiczoo}
EXPORTS=${EXPORTS:-saved_models}
EPOCHS_ALL=${EPOCHS:-}
unset EPOCHS
declare -A EPOCHS=(
  [lenet5_bn]=30 [vgg11_bn]=30 [vgg13_bn]=30 [vgg16_bn]=30
  [googlenet]=15 [nin]=15 [alexnet]=10 [vgg19_bn]=15
)
for model in ${MODELS:-lenet5_bn vgg11_bn vgg13_bn vgg16_bn googlenet nin alexnet vgg19_bn}; do
  extra=()
  [[ $model == googlenet ]] && extra=(--model-arg aux_classifiers=true)
  $CZ train --model "$model" --val-split 0.1 --augment standard \
    --epochs "${EPOCHS_ALL:-${EPOCHS[$model]}}" --restore-best \
    --checkpoint-dir "checkpoints/converged-$model" --checkpoint-every 500 \
    --export-dir "$EXPORTS" "${extra[@]}"
  $CZ evaluate "$EXPORTS/$model"
  $CZ evaluate "$EXPORTS/$model" --tta flip
done
