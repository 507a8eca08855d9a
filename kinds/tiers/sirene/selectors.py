"""What the register says about a SIRET."""

from dataclasses import dataclass

from .models import Establishment


@dataclass(frozen=True)
class SireneCheck:
    siret: str
    found: bool
    closed: bool = False
    name: str = ""
    address: str = ""

    @property
    def flagged(self) -> bool:
        """Absent from the extract or closed: the centre must look at it."""
        return not self.found or self.closed


def sirene_check(siret: str) -> SireneCheck:
    establishment = Establishment.objects.filter(siret=siret).first()
    if establishment is None:
        return SireneCheck(siret=siret, found=False)
    address = " ".join(p for p in (establishment.address, establishment.postcode,
                                   establishment.city) if p)
    return SireneCheck(siret=siret, found=True,
                       closed=establishment.state == Establishment.State.CLOSED,
                       name=establishment.name, address=address)
