"""Dashboards, targets and report exports read other apps' models through their selectors."""
