"""Random-draw inspection plans (双随机): inspection items, plans, the draw and its verification."""
