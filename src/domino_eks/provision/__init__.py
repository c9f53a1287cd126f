"""Provisioning: the AWS environment the page describes, created from the same model `validate` checks.

    desired.build(deployment) -> Graph        what should exist, each resource referring to others by Ref
    discover.inventory(aws, graph) -> found   what exists, found by the tag domino-eks/deployment=<cluster>
    plan.compute(graph, found) -> Plan        create / update / unchanged / delete, per resource
    apply.run(...) / destroy.run(...)         walk the graph in parallel (graphlib + a thread pool)

There is no state file: AWS, read through the tags, is the state. handlers/ holds one module per service
area, each resource type with its discover / create / update / delete.
"""
