"""demo: ``coin load_demo`` builds a small demo ISP from every app's services."""
