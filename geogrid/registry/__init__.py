"""The basic-information registry (一标三实): standard addresses and the records at them."""
