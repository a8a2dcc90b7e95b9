# model fuzz7028, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.mean((-(p1 - x)))
    def net1(h):
        h = F.avg_pool2d(h, 3, 1, 0)
        h = F.batch_norm(h, None, None, t["net1.1.weight"], t["net1.1.bias"], True, 0.1, 0.1)
        h = torch.relu(h)
        h = F.avg_pool2d(h, 3, 1, 1)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        return h
    v2 = (net1(x) - v1)
    v3 = (v2 / (torch.sigmoid(v2) + torch.tensor(0.5)))
    def net2(h):
        h = F.conv2d(h, t["net2.0.weight"], t["net2.0.bias"], 1, 0, 1, 1)
        h = torch.relu(h)
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.7.weight"], t["net2.7.bias"])
        h = torch.tanh(h)
        return h
    v4 = F.linear(torch.log((torch.sigmoid((v1 + (-torch.softmax(torch.log(torch.exp(net2(x))), -1)))) + torch.tensor(0.5))), t["v4.weight"], t["v4.bias"])
    z = F.linear(torch.tanh(v3), t["z.weight"], t["z.bias"])
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.10000000000000001) * torch.sum(v4)) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
