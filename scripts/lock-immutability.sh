#!/usr/bin/env bash
# Locks the account-level WORM (immutability) policy of Lifeboat's backup accounts, right
# after the first provisioning and before any code is published.
#
# Why before the first write: a blob version keeps the policy it was written under, and a
# later lock does not reach back; versions written while the default was unlocked stay
# deletable. Azure creates the policy unlocked (it cannot be created locked), so this runs
# once between provisioning and publishing: as azd's postprovision hook (azure.yaml), or by
# hand after `az deployment sub create` (README, "Deploy with the Azure CLI").
#
# Irreversible: a locked policy can be lengthened but never shortened or removed, and
# every later deployment must pass lockImmutability=true (the hook records that in the azd
# environment as LIFEBOAT_LOCK_IMMUTABILITY=true).
#
# Usage: scripts/lock-immutability.sh <resource-group> <account> [<resource-group> <account>]...
#   With no arguments, uses the azd outputs AZURE_RESOURCE_GROUP/BACKUP_STORAGE_ACCOUNT_NAME
#   and AZURE_SECONDARY_RESOURCE_GROUP/SECONDARY_STORAGE_ACCOUNT_NAME.
# Set LIFEBOAT_SKIP_LOCK=true to leave the policies unlocked (trial deployments).
set -euo pipefail

if [ "${LIFEBOAT_SKIP_LOCK:-false}" = "true" ]; then
  echo "lock-immutability: LIFEBOAT_SKIP_LOCK=true: the backup accounts' WORM policy stays UNLOCKED (deletable)" >&2
  exit 0
fi

if [ "$#" -eq 0 ]; then
  set -- "${AZURE_RESOURCE_GROUP:?not set: pass <resource-group> <account> pairs}" "${BACKUP_STORAGE_ACCOUNT_NAME:?not set}" \
    "${AZURE_SECONDARY_RESOURCE_GROUP:?not set}" "${SECONDARY_STORAGE_ACCOUNT_NAME:?not set}"
fi
if [ $(($# % 2)) -ne 0 ]; then
  echo "lock-immutability: arguments are <resource-group> <account> pairs" >&2
  exit 2
fi

while [ "$#" -gt 0 ]; do
  rg=$1 account=$2
  shift 2
  policy=$(az storage account show -g "$rg" -n "$account" \
    --query "immutableStorageWithVersioning.immutabilityPolicy.[state, immutabilityPeriodSinceCreationInDays]" -o tsv)
  state=$(cut -f1 <<<"$policy")
  days=$(cut -f2 <<<"$policy")
  case "$state" in
    Locked)
      echo "lock-immutability: $account: already locked ($days days)"
      ;;
    Unlocked)
      az storage account update -g "$rg" -n "$account" --immutability-state Locked --immutability-period "$days" -o none
      echo "lock-immutability: $account: locked ($days days; can be lengthened, never shortened)"
      ;;
    *)
      echo "lock-immutability: $account: no account-level immutability policy (state '${state:-none}'); was it deployed from infra/?" >&2
      exit 1
      ;;
  esac
done

# Later `azd provision` runs must keep the lock (a deployment cannot unlock it).
if command -v azd > /dev/null && [ -n "${AZURE_ENV_NAME:-}" ]; then
  azd env set LIFEBOAT_LOCK_IMMUTABILITY true
fi
