"""cfn-lint rules for cfn-trailwatch: ``cfn-lint -a cfn_trailwatch.rules TEMPLATE``.

cfn-lint instantiates every subclass of its rule base class that is an attribute of this module,
so the rule classes are exposed here (and listed in ``__all__``). They all share one analysis
per template; see ``_adapter``.
"""

from .trail_rules import *  # noqa: F401,F403 - the rule classes are this module's interface
from .trail_rules import __all__  # noqa: F401
