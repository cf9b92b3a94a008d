"""Handing a conversation to human coordinators: working hours and the card they see; channel-neutral."""
