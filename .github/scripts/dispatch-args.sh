# Sourced by the workflow steps: turn the workflow_dispatch inputs passed in
# DISTRIBUTION_IDS, BATCH_SIZE and PIN_VERSION into reconciler arguments in
# the array "args". Any value that is not a distribution id or a positive
# integer stops the step before the reconciler runs. On a push all three are
# empty.

args=()

ids="${DISTRIBUTION_IDS:-}"
read -r -a distribution_ids <<< "${ids//,/ }"
if (( ${#distribution_ids[@]} > 0 )); then
    args+=(--only)
    for id in "${distribution_ids[@]}"; do
        if [[ ! "$id" =~ ^E[A-Z0-9]+$ ]]; then
            echo "invalid distribution id in the distribution_ids input: expected E followed by capital letters and digits, as in E2QWRUHAPOMQZL" >&2
            exit 1
        fi
        args+=("$id")
    done
fi

if [[ -n "${BATCH_SIZE:-}" ]]; then
    if [[ ! "$BATCH_SIZE" =~ ^[1-9][0-9]*$ ]]; then
        echo "invalid batch_size input: expected a positive integer" >&2
        exit 1
    fi
    args+=(--batch-size "$BATCH_SIZE")
fi

if [[ -n "${PIN_VERSION:-}" ]]; then
    if [[ ! "$PIN_VERSION" =~ ^[1-9][0-9]*$ ]]; then
        echo "invalid pin_version input: expected a published function version number" >&2
        exit 1
    fi
    args+=(--pin-version "$PIN_VERSION")
fi
