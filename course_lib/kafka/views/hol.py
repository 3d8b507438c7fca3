"""Head-of-line blocking in words: Kafka and a classic broker side by side, one row each.

The numbers come from the model or the lab; this module only draws them.
Introduced in ``notebooks/06_when_to_use_kafka.ipynb``.
"""

from __future__ import annotations

from dataclasses import replace

from course_lib.kafka.models.hol import HOL_STYLES, HolScenario, extra_delays


def hol_table(scenario: HolScenario) -> str:
    """Kafka and a classic broker on the same records, one row each (assumed costs)."""
    rows = [extra_delays(replace(scenario, style=s)) for s in HOL_STYLES]
    head = (f"{'':15} {'consumers used':>14} {'delayed (its partition)':>23} "
            f"{'max extra ms':>12} {'delayed (others)':>16} {'max extra ms':>12}")
    lines = [head]
    for r in rows:
        label = "Kafka" if r["style"] == "kafka" else "message broker"
        lines.append(f"{label:15} {r['consumers_used']:>14} {r['delayed_same_partition']:>23} "
                     f"{r['max_extra_delay_same_partition_ms']:>12} "
                     f"{r['delayed_other_partitions']:>16} "
                     f"{r['max_extra_delay_other_partitions_ms']:>12}")
    return "\n".join(lines)
