"""Guided context interviews: a facilitator starts one for a planner, the planner
answers step by step in chat, and the answers become a draft context rule."""
