"""Characters ("cameos"): a person, pet or object recorded once, verified, and put in
videos by ``@handle`` by the people its owner allows."""
