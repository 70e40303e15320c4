"""Small reusable widgets of the app."""
