"""Configuration: the validated backend-manager-config.json and the secrets from the environment."""

from functions.config.loader import CONFIG_FILE, load_config, parse_config
from functions.config.models import Config, Product
from functions.config.secrets import load_dotenv_for, missing_secrets, secret, secret_matches

__all__ = ["CONFIG_FILE", "Config", "Product", "load_config", "load_dotenv_for", "missing_secrets", "parse_config", "secret", "secret_matches"]
