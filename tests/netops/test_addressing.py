from netops.ipam.addressing import Block, parse_prefix, to_hex


def test_hex_order_is_numeric_order():
    values = [0, 1, 255, 256, 2**32 - 1, 2**32, 2**127, 2**128 - 1]
    assert sorted(values, key=to_hex) == values


def test_remainder_after_taking_a_prefix():
    block = parse_prefix("198.51.100.0/24")
    target = parse_prefix("198.51.100.8/29")
    pieces = block.remainder_after(target)
    assert [p.cidr() for p in pieces] == [
        "198.51.100.128/25",
        "198.51.100.64/26",
        "198.51.100.32/27",
        "198.51.100.16/28",
        "198.51.100.0/29",
    ]
    assert sum(p.size for p in pieces) + target.size == block.size


def test_buddy_and_parent():
    block = Block(parse_prefix("2001:db8:0:100::/56").network, 56, 6)
    assert block.buddy().cidr() == "2001:db8::/56"
    assert block.parent().cidr() == "2001:db8::/55"
