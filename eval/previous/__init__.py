"""The learning rules as they were before the dev set (main at d5aed0b), frozen as the baseline.

`python -m eval` prints every learning figure beside what these rules give on the same
scenarios in the same run. Never edit them: a baseline that moves measures nothing.
"""
