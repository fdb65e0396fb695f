"""REST API under /api/v1: FastAPI routers and Pydantic schemas."""
