"""The contract suite's harness: configuration, the server under test, the contract, waiting.

Nothing here (or anywhere in contract_tests/) imports the emulator: the suite talks HTTP only.
"""
