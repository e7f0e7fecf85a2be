#!/bin/bash
# The seed's cluster (WALKTHROUGH.md §1): `navarch up` reads this file by default.
# Three nodes; the first is the master and a node ("ai"), the others are nodes ("i").
# The user@ part is kept for compatibility with kube-up's config and is not used by the lab.
export nodes="user@192.168.0.201 user@192.168.0.202 user@192.168.0.203"
export roles=("ai" "i" "i")          # a = master, i = node ("minion"), ai = both; same order as nodes
export NUM_MINIONS=${NUM_MINIONS:-3}
export SERVICE_CLUSTER_IP_RANGE=192.168.3.0/24   # virtual IPs handed to Services
export FLANNEL_NET=172.16.0.0/16                 # pod network; must not overlap the above
