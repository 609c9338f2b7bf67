"""The relay: one inbound message to durable jobs, delivery per destination, rendering, counts."""
