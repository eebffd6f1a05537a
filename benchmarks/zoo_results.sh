#!/usr/bin/env bash
# The runs behind docs/RESULTS.md: every zoo model trained on Fashion-MNIST with the project's
# recipes (10 % of train held out for validation), exported, evaluated, then ensembled.
#
#   bash benchmarks/zoo_results.sh            # train all, evaluate, ensemble (CPU budget below)
#   EPOCHS_SCALE=full bash benchmarks/zoo_results.sh   # each model's default epochs (GPU)
#   STAGE=evaluate bash benchmarks/zoo_results.sh      # only evaluate + ensemble the exports
#
# The CPU budget: epochs per model chosen so the whole run fits about an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python}
STAGE=${STAGE:-all}
declare -A CPU_EPOCHS=(
  [lenet5]=10 [lenet5_bn]=3
  [vgg11_bn]=4 [vgg13_bn]=3 [vgg16_bn]=2 [vgg19_bn]=2
  [vgg11]=3 [vgg13]=2 [vgg16]=2 [vgg19]=1
  [googlenet]=2 [nin]=3 [alexnet]=2
)
MODELS=(lenet5_bn lenet5 vgg11_bn vgg13_bn vgg16_bn googlenet vgg11 vgg13 vgg16 nin alexnet vgg19_bn vgg19)

if [[ $STAGE == all || $STAGE == train ]]; then
  for model in "${MODELS[@]}"; do
    epochs=()
    [[ ${EPOCHS_SCALE:-cpu} == cpu ]] && epochs=(--epochs "${CPU_EPOCHS[$model]}")
    extra=()
    [[ $model == googlenet ]] && extra=(--model-arg aux_classifiers=true)
    $PY recipes/train.py --model "$model" --val-split 0.1 "${epochs[@]}" "${extra[@]}"
  done
  # The budget left went to the two best models of the short runs: their default recipe
  # (10 epochs, Adam 2e-3, cosine). They become version 2 of their exports.
  if [[ ${EPOCHS_SCALE:-cpu} == cpu ]]; then
    for model in vgg13_bn vgg11_bn; do $PY recipes/train.py --model "$model" --val-split 0.1; done
  fi
fi
if [[ $STAGE == all || $STAGE == evaluate ]]; then
  dirs=()
  for model in "${MODELS[@]}"; do dirs+=("saved_models/$model"); done
  $PY recipes/evaluate.py "${dirs[@]}"
  members=()
  for model in ${ENSEMBLE:-vgg13_bn vgg11_bn vgg16_bn}; do members+=("saved_models/$model"); done
  for method in mean-probs mean-logits vote; do $PY recipes/ensemble.py "${members[@]}" --method $method; done
  $PY recipes/ensemble.py "${members[@]}" --method weighted --export
  name=ensemble-${ENSEMBLE:-vgg13_bn vgg11_bn vgg16_bn}
  $PY recipes/evaluate.py "saved_models/${name// /-}"
  $PY benchmarks/results_table.py
fi
