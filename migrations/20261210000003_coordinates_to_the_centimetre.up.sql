-- Coordinates to the centimetre (seven decimals), as they are written from now on: finer is
-- noise, and subnormal numbers make the distance's trigonometry fail with an underflow.
UPDATE cities SET latitude = round(latitude::numeric, 7), longitude = round(longitude::numeric, 7);
UPDATE theaters SET latitude = round(latitude::numeric, 7), longitude = round(longitude::numeric, 7);
