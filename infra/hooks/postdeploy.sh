#!/bin/sh
# azd postdeploy hook: once the code is published, subscribe the managed vaults' events to onVaultEvent
# (Event Grid refuses a subscription to a function that does not exist yet, so `azd up` provisions first
# without it). Runs once per environment; later `azd up` runs keep the subscriptions.
set -e
if [ "${SUBSCRIBE_VAULT_EVENTS:-false}" != "true" ]; then
  azd env set SUBSCRIBE_VAULT_EVENTS true
  azd provision --no-prompt
fi
