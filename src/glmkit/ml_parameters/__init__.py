"""Extra parameters of a GLM estimated by maximum likelihood around the fit.

The negative binomial θ (``MASS::glm.nb``), the Gamma shape (``MASS::gamma.shape``) and
the Tweedie variance power (profile likelihood). Each works on a fitted result and refits
through the ordinary fit machinery; none contains a GLM solver of its own.
"""

from .gamma_shape import GammaShape, gamma_shape
from .negbin import NegBinResult, glm_nb, negative_binomial_ml, theta_ml
from .tweedie_power import TweedieProfile, tweedie_power

__all__ = ["GammaShape", "gamma_shape", "NegBinResult", "glm_nb", "negative_binomial_ml", "theta_ml",
           "TweedieProfile", "tweedie_power"]
